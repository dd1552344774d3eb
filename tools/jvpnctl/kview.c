// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/jvpn.h>

#include "record.h"
#include "jvpnctl.h"
#include "kview.h"

struct obj *objs_push(struct objs *list)
{
	struct obj *grown =
		realloc(list->items, (list->n + 1) * sizeof(*list->items));

	if (!grown) {
		fputs("jvpnctl: out of memory\n", stderr);
		exit(JVPNCTL_FAILURE);
	}
	list->items = grown;
	memset(&grown[list->n], 0, sizeof(*grown));
	return &grown[list->n++];
}

void objs_free(struct objs *list)
{
	for (size_t i = 0; i < list->n; i++)
		obj_free(&list->items[i]);
	free(list->items);
	*list = (struct objs){ 0 };
}

struct obj *objs_find(const struct objs *list, const char *key,
		      const char *value)
{
	for (size_t i = 0; i < list->n; i++) {
		const char *v = obj_get(&list->items[i], key);

		if (v && !strcmp(v, value))
			return &list->items[i];
	}
	return NULL;
}

/* The kernel's names where the daemon's differ. */
static const char *daemon_name(const char *kernel_name)
{
	if (!strcmp(kernel_name, "id"))
		return "session_id";
	if (!strcmp(kernel_name, "version"))
		return "state_version";
	return kernel_name;
}

static enum obj_kind kind_of(const char *kernel_name)
{
	/* a u64 id is a string in JSON: numbers lose precision past 2^53 */
	if (!strcmp(kernel_name, "id"))
		return OBJ_STRING;
	if (is_list_field(kernel_name))
		return OBJ_LIST;
	return is_number_field(kernel_name) ? OBJ_NUMBER : OBJ_STRING;
}

void kview_to_obj(const struct nlmsghdr *nlh, struct obj *out)
{
	struct jvpn_attrs attrs;
	struct record rec = { 0 };

	jvpn_attrs_parse(nlh, &attrs);
	record_add_fields(&rec, &attrs, NULL, 0);
	for (size_t i = 0; i < rec.count; i++) {
		const char *name = rec.items[i].name;

		/* keys never leave the kernel through jvpnctl */
		if (!strcmp(name, "tx_key") || !strcmp(name, "rx_key"))
			continue;
		obj_set(out, daemon_name(name), rec.items[i].value,
			kind_of(name));
	}
	record_free(&rec);
}

int kview_open(struct jvpn_nl *nl, const char *cmd)
{
	if (!jvpn_nl_open(nl, cmd))
		return JVPNCTL_OK;
	if (nl->no_family)
		return JVPNCTL_NO_MODULE;
	return errno == EPERM || errno == EACCES ? JVPNCTL_PERMISSION
						 : JVPNCTL_FAILURE;
}

static int on_obj(const struct nlmsghdr *nlh, void *data)
{
	kview_to_obj(nlh, data);
	return MNL_CB_OK;
}

static int on_objs(const struct nlmsghdr *nlh, void *data)
{
	kview_to_obj(nlh, objs_push(data));
	return MNL_CB_OK;
}

/* The status for a failed request; says nothing for -ENODEV. */
static int request_status(struct jvpn_nl *nl, int err)
{
	if (err == -ENODEV || err == -EOPNOTSUPP)
		return JVPNCTL_NO_DEVICE;
	jvpn_nl_report(nl, err);
	if (err == -EPERM || err == -EACCES)
		return JVPNCTL_PERMISSION;
	return err == -ENOENT ? JVPNCTL_NO_SESSION : JVPNCTL_FAILURE;
}

static int dev_get(struct jvpn_nl *nl, struct kdev *dev)
{
	struct nlmsghdr *req = jvpn_nl_request(nl, JVPN_CMD_DEV_GET, 0);

	mnl_attr_put_u32(req, JVPN_A_IFINDEX, dev->ifindex);
	return jvpn_nl_transact(nl, req, on_obj, &dev->counters);
}

static int add_device(struct jvpn_nl *nl, struct kdev **devs, size_t *n,
		      const char *name, unsigned int ifindex)
{
	struct kdev *grown = realloc(*devs, (*n + 1) * sizeof(**devs));
	struct kdev *dev;
	int err;

	if (!grown)
		return -ENOMEM;
	*devs = grown;
	dev = &grown[*n];
	memset(dev, 0, sizeof(*dev));
	snprintf(dev->name, sizeof(dev->name), "%s", name);
	dev->ifindex = ifindex;
	err = dev_get(nl, dev);
	/* the kernel's words for "not one of mine" */
	if (err == -EOPNOTSUPP)
		err = -ENODEV;
	if (err)
		obj_free(&dev->counters);
	else
		(*n)++;
	return err;
}

int kview_devices(struct jvpn_nl *nl, const char *only, struct kdev **devs,
		  size_t *n)
{
	struct if_nameindex *all, *i;
	int err = 0;

	*devs = NULL;
	*n = 0;
	if (only) {
		unsigned int ifindex = if_nametoindex(only);

		err = ifindex ? add_device(nl, devs, n, only, ifindex)
			      : -ENODEV;
		if (err == -ENODEV)
			return jvpnctl_error(JVPNCTL_NO_DEVICE, nl->cmd,
					     "no jvpn device '%s'", only);
		return err ? request_status(nl, err) : JVPNCTL_OK;
	}
	all = if_nameindex();
	if (!all)
		return jvpnctl_error(JVPNCTL_FAILURE, nl->cmd,
				     "listing interfaces: %s", strerror(errno));
	/* the kernel answers DEV_GET for its own devices only */
	for (i = all; i->if_index && (!err || err == -ENODEV); i++)
		err = add_device(nl, devs, n, i->if_name, i->if_index);
	if_freenameindex(all);
	return err && err != -ENODEV ? request_status(nl, err) : JVPNCTL_OK;
}

void kview_free_devices(struct kdev *devs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		obj_free(&devs[i].counters);
	free(devs);
}

int kview_sessions(struct jvpn_nl *nl, const struct kdev *dev, struct objs *out)
{
	struct nlmsghdr *req =
		jvpn_nl_request(nl, JVPN_CMD_SESSION_GET, NLM_F_DUMP);
	int err;

	mnl_attr_put_u32(req, JVPN_A_IFINDEX, dev->ifindex);
	err = jvpn_nl_transact(nl, req, on_objs, out);
	return err ? request_status(nl, err) : JVPNCTL_OK;
}

int kview_session(struct jvpn_nl *nl, const struct kdev *dev, uint64_t id,
		  struct obj *out)
{
	struct nlmsghdr *req = jvpn_nl_request(nl, JVPN_CMD_SESSION_GET, 0);
	int err;

	mnl_attr_put_u32(req, JVPN_A_IFINDEX, dev->ifindex);
	mnl_attr_put_u64(req, JVPN_A_SESSION_ID, id);
	err = jvpn_nl_transact(nl, req, on_obj, out);
	if (err == -ENOENT)
		return JVPNCTL_NO_SESSION;
	return err ? request_status(nl, err) : JVPNCTL_OK;
}
