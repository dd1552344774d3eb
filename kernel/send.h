/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _JVPN_SEND_H
#define _JVPN_SEND_H

#include <linux/netdevice.h>

netdev_tx_t jvpn_xmit(struct sk_buff *skb, struct net_device *dev);

#endif /* _JVPN_SEND_H */
