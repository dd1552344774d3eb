// SPDX-License-Identifier: GPL-2.0
/*
 * The jvpn net_device: rtnl link kind "jvpn", one per tunnel interface.
 * Deleting the device deletes its sessions and gives back its sockets.
 */
#include <linux/if_arp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/genetlink.h>
#include <net/ip.h>
#include <net/rtnetlink.h>
#include "constants.h"
#include "device.h"
#include "send.h"
#include "session.h"
#include "transport.h"

static int jvpn_dev_init(struct net_device *dev)
{
	struct jvpn_device *jd = netdev_priv(dev);
	int err = -ENOMEM;

	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats)
		return err;
	jd->counters = jvpn_counters_alloc();
	if (!jd->counters)
		goto free_tstats;
	err = jvpn_table_init(&jd->sessions);
	if (err)
		goto free_counters;
	err = jvpn_allowedips_init(&jd->allowed_ips);
	if (err)
		goto free_table;
	return 0;
free_table:
	jvpn_table_destroy(&jd->sessions);
free_counters:
	free_percpu(jd->counters);
free_tstats:
	free_percpu(dev->tstats);
	return err;
}

static void jvpn_dev_destruct(struct net_device *dev)
{
	struct jvpn_device *jd = netdev_priv(dev);

	/*
	 * Every session is gone from the tables, but a receive worker may
	 * still be finishing with one: wait until each session's deferred
	 * free, which stops its worker, has run.
	 */
	rcu_barrier();
	flush_workqueue(jvpn_wq);

	jvpn_allowedips_destroy(&jd->allowed_ips);
	jvpn_table_destroy(&jd->sessions);
	free_percpu(jd->counters);
	free_percpu(dev->tstats);
}

static const struct net_device_ops jvpn_netdev_ops = {
	.ndo_init = jvpn_dev_init,
	.ndo_start_xmit = jvpn_xmit,
	.ndo_get_stats64 = dev_get_tstats64,
};

/*
 * The stack hands us large TCP/UDP packets and leaves checksums to us: we
 * segment in software (send.c) and seal each segment, so a whole GSO packet
 * costs one route and one session lookup.
 */
#define JVPN_FEATURES (NETIF_F_HW_CSUM | NETIF_F_RXCSUM | NETIF_F_SG | \
		       NETIF_F_GSO | NETIF_F_GSO_SOFTWARE | NETIF_F_HIGHDMA)

static void jvpn_setup(struct net_device *dev)
{
	struct jvpn_device *jd = netdev_priv(dev);

	dev->netdev_ops = &jvpn_netdev_ops;
	dev->header_ops = NULL;
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->features |= NETIF_F_LLTX | JVPN_FEATURES;
	dev->hw_features |= JVPN_FEATURES;
	dev->hw_enc_features |= JVPN_FEATURES;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->needed_headroom = JVPN_DATA_HDR_LEN + JVPN_OUTER_OVERHEAD_MAX;
	dev->needed_tailroom = JVPN_TAG_LEN;
	dev->mtu = JVPN_DEFAULT_MTU;
	dev->min_mtu = IPV4_MIN_MTU;
	dev->max_mtu = IP_MAX_MTU - JVPN_OUTER_OVERHEAD_MAX - JVPN_DATA_OVERHEAD;
	dev->needs_free_netdev = true;
	dev->priv_destructor = jvpn_dev_destruct;

	memset(jd, 0, sizeof(*jd));
	jd->dev = dev;
	mutex_init(&jd->lock);
	INIT_LIST_HEAD(&jd->session_list);
	INIT_LIST_HEAD(&jd->socks);
}

static int jvpn_newlink(struct net *src_net, struct net_device *dev,
			struct nlattr *tb[], struct nlattr *data[],
			struct netlink_ext_ack *extack)
{
	return register_netdevice(dev);
}

/* Ends every session (reason: device gone) before the device goes. */
static void jvpn_dellink(struct net_device *dev, struct list_head *head)
{
	struct jvpn_device *jd = netdev_priv(dev);
	struct jvpn_session *s, *tmp;

	mutex_lock(&jd->lock);
	jd->dead = true;
	list_for_each_entry_safe(s, tmp, &jd->session_list, dev_node)
		jvpn_session_destroy(s, JVPN_DEL_REASON_DEVICE_GONE);
	mutex_unlock(&jd->lock);
	unregister_netdevice_queue(dev, head);
}

struct rtnl_link_ops jvpn_link_ops __read_mostly = {
	.kind = KBUILD_MODNAME,
	.priv_size = sizeof(struct jvpn_device),
	.setup = jvpn_setup,
	.newlink = jvpn_newlink,
	.dellink = jvpn_dellink,
};

int jvpn_device_register(void)
{
	return rtnl_link_register(&jvpn_link_ops);
}

void jvpn_device_unregister(void)
{
	rtnl_link_unregister(&jvpn_link_ops);
}

struct jvpn_device *jvpn_device_get(struct net *net, u32 ifindex,
				    struct netlink_ext_ack *extack)
{
	struct net_device *dev = dev_get_by_index(net, ifindex);

	if (!dev) {
		NL_SET_ERR_MSG(extack, "no device with this ifindex");
		return ERR_PTR(-ENODEV);
	}
	if (dev->rtnl_link_ops != &jvpn_link_ops) {
		NL_SET_ERR_MSG(extack, "device is not a jvpn device");
		dev_put(dev);
		return ERR_PTR(-EOPNOTSUPP);
	}
	return netdev_priv(dev);
}
