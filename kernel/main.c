// SPDX-License-Identifier: GPL-2.0
/*
 * jvpn: the fast path of Jumping VPN. Sessions survive the death of their
 * transport; the daemon jvpnd decides, this module carries and enforces.
 */
#include <linux/module.h>
#include <linux/workqueue.h>
#include "device.h"
#include "events.h"
#include "netlink.h"
#include "receive.h"
#include "session.h"
#include "transport.h"

#ifndef JVPN_VERSION
#define JVPN_VERSION "0.0.0"
#endif

static int __init jvpn_init(void)
{
	int err;

	err = jvpn_session_cache_init();
	if (err)
		return err;
	err = jvpn_keypair_cache_init();
	if (err)
		goto session_cache;
	err = jvpn_receive_wq_init();
	if (err)
		goto keypair_cache;
	err = -ENOMEM;
	jvpn_wq = alloc_workqueue("jvpn", WQ_UNBOUND, 0);
	if (!jvpn_wq)
		goto crypt_wq;
	err = jvpn_events_register();
	if (err)
		goto free_wq;
	err = jvpn_device_register();
	if (err)
		goto events;
	err = jvpn_netlink_register();
	if (err)
		goto device;
	pr_info("jvpn " JVPN_VERSION " loaded\n");
	return 0;
device:
	jvpn_device_unregister();
events:
	jvpn_events_unregister();
free_wq:
	destroy_workqueue(jvpn_wq);
crypt_wq:
	jvpn_receive_wq_destroy();
keypair_cache:
	jvpn_keypair_cache_destroy();
session_cache:
	jvpn_session_cache_destroy();
	return err;
}

static void __exit jvpn_exit(void)
{
	jvpn_netlink_unregister();
	jvpn_device_unregister();
	jvpn_events_unregister();
	/* every call_rcu() and queue_rcu_work() has run before we go */
	rcu_barrier();
	destroy_workqueue(jvpn_wq);
	/* the sessions' deferred frees above stopped every receive worker */
	jvpn_receive_wq_destroy();
	jvpn_keypair_cache_destroy();
	jvpn_session_cache_destroy();
}

module_init(jvpn_init);
module_exit(jvpn_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Jumping VPN: sessions that survive their transport");
MODULE_AUTHOR("Jumping VPN developers");
MODULE_VERSION(JVPN_VERSION);
MODULE_ALIAS_RTNL_LINK("jvpn");
MODULE_ALIAS_GENL_FAMILY(JVPN_GENL_NAME);
