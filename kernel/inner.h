/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _JVPN_INNER_H
#define _JVPN_INNER_H

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/skbuff.h>
#include <linux/socket.h>

/*
 * The inner IP packet at skb_network_header(): checks that its header is
 * whole and its length honest, sets skb->protocol, trims link padding.
 * Returns AF_INET, AF_INET6, or 0 for anything else.
 */
static inline int jvpn_inner_validate(struct sk_buff *skb)
{
	unsigned int len;

	if (!pskb_network_may_pull(skb, 1))
		return 0;
	switch (ip_hdr(skb)->version) {
	case 4:
		if (!pskb_network_may_pull(skb, sizeof(struct iphdr)) ||
		    ip_hdr(skb)->ihl < 5)
			return 0;
		len = ntohs(ip_hdr(skb)->tot_len);
		if (len < ip_hdr(skb)->ihl * 4U)
			return 0;
		skb->protocol = htons(ETH_P_IP);
		break;
	case 6:
		if (!pskb_network_may_pull(skb, sizeof(struct ipv6hdr)))
			return 0;
		len = sizeof(struct ipv6hdr) +
		      ntohs(ipv6_hdr(skb)->payload_len);
		skb->protocol = htons(ETH_P_IPV6);
		break;
	default:
		return 0;
	}
	len += skb_network_offset(skb);
	if (len > skb->len || pskb_trim(skb, len))
		return 0;
	return skb->protocol == htons(ETH_P_IP) ? AF_INET : AF_INET6;
}

/* Source or destination address words of a validated inner packet. */
static inline const __be32 *jvpn_inner_addr(const struct sk_buff *skb,
					    int family, bool source)
{
	if (family == AF_INET)
		return source ? &ip_hdr(skb)->saddr : &ip_hdr(skb)->daddr;
	return source ? ipv6_hdr(skb)->saddr.s6_addr32 :
			ipv6_hdr(skb)->daddr.s6_addr32;
}

#endif /* _JVPN_INNER_H */
