-- SPDX-License-Identifier: GPL-2.0 OR MIT
-- Wireshark / tshark dissector of the Jumping VPN wire protocol: the data
-- packet and every control message. The layouts are those of
-- uapi/jvpn/messages.h (the one home of the wire format; prose in
-- docs/protocol.md, docs/control-plane-protocol.md, docs/reattach.md).
--
-- Install: copy to a Lua plugin folder (`tshark -G folders`); the jvpnd
-- package puts it in the global one. Or: tshark -X lua_script:jvpn.lua
-- Decoded on UDP port 51820 (preference jvpn.udp_port) and, by a
-- heuristic that checks the type byte and the message's exact length, on
-- any UDP port. Filter fields: jvpn.type, jvpn.session_id, ... (see the
-- `field` table below; `tshark -G fields | grep jvpn`).
--
-- Adding a message: one entry in `messages` (type code, name, exact
-- length or nil for variable, its fields after the header) using the
-- fields of `field`, plus any new field there. tools/dist-check.sh fails
-- when messages.h has a type this table does not decode.

local jvpn = Proto("jvpn", "Jumping VPN")

local DEFAULT_PORT = 51820
local CP_HDR_LEN = 12 -- JVPN_CP_HDR_LEN
local CP_MAC_LEN = 32 -- JVPN_CP_MAC_LEN
local TAG_LEN = 16 -- JVPN_TAG_LEN

local msg_names = {}

-- enum jvpnd_reason (daemon/core/reason.h): the codes on the wire
local reasons = {
	[0] = "NONE",
	[1] = "UNKNOWN_SESSION",
	[2] = "BAD_PROOF",
	[3] = "REPLAYED_NONCE",
	[4] = "STALE_TIMESTAMP",
	[5] = "STALE_VERSION",
	[6] = "RATE_LIMITED",
	[7] = "COOLDOWN",
	[8] = "SWITCH_LIMIT",
	[9] = "CLASS_NOT_ALLOWED",
	[10] = "KERNEL_LOST",
	[20] = "VERSION_MISMATCH",
	[21] = "UNKNOWN_PEER",
	[22] = "REPLAYED_HANDSHAKE",
	[23] = "BAD_MAC1",
}

local transport_classes = { [1] = "udp4", [2] = "udp6" }

-- The header of every session-bound control message (JVPN_CP_HDR_LEN).
local cp_header = { { "type", 1 }, { "version", 1 }, { "reserved", 2 }, { "session_id", 8 } }

-- cp(body...): a session-bound control message, header + body + mac;
-- returns its layout and exact length, the last two arguments of message()
local function cp(...)
	local layout, len = {}, CP_HDR_LEN + CP_MAC_LEN
	for _, f in ipairs(cp_header) do layout[#layout + 1] = f end
	for _, f in ipairs({ ... }) do
		layout[#layout + 1] = f
		len = len + f[2]
	end
	layout[#layout + 1] = { "mac", CP_MAC_LEN }
	return layout, len
end

-- type code -> { name, exact length (nil: variable), { {field, size}... } }
-- naming the fields of `field` below. A size of 0 is "the rest, before
-- the trailing fields". Defined before the fields: ProtoField copies the
-- names of jvpn.type when it is made.
local messages = {}
local function message(code, name, layout, len)
	messages[code] = { name = name, layout = layout, len = len }
	msg_names[code] = name
end

message(0x01, "HANDSHAKE_INIT", {
	{ "type", 1 }, { "version_min", 1 }, { "version_max", 1 }, { "reserved", 1 },
	{ "initiator_id", 8 }, { "ephemeral", 32 }, { "encrypted_static", 48 },
	{ "encrypted_timestamp", 28 }, { "mac1", 16 }, { "mac2", 16 } }, 152)
message(0x02, "HANDSHAKE_RESP", {
	{ "type", 1 }, { "version", 1 }, { "reserved", 2 }, { "session_id", 8 },
	{ "initiator_id", 8 }, { "ephemeral", 32 }, { "confirm", 16 }, { "mac1", 16 } }, 84)
message(0x03, "HANDSHAKE_REJECT", {
	{ "type", 1 }, { "version_min", 1 }, { "version_max", 1 }, { "reserved", 1 },
	{ "initiator_id", 8 }, { "reason16", 2 } }, 14)
message(0x04, "REATTACH_REQUEST", cp({ "state_version", 8 }, { "nonce", 8 },
	{ "timestamp_ms", 8 }, { "transport_class", 1 }, { "reserved", 7 }))
message(0x05, "REATTACH_CHALLENGE", cp({ "request_nonce", 8 }, { "token", 16 }))
message(0x06, "REATTACH_RESPONSE", cp({ "request_nonce", 8 }, { "token", 16 }))
message(0x07, "REATTACH_ACK", cp({ "request_nonce", 8 }, { "state_version", 8 }))
message(0x08, "REATTACH_REJECT", cp({ "reason16", 2 }, { "reserved", 2 },
	{ "retry_after_ms", 4 }, { "request_nonce", 8 }, { "state_version", 8 },
	{ "nonce_floor", 8 }))
message(0x09, "PATH_CHALLENGE", cp({ "token", 16 }))
message(0x0a, "PATH_RESPONSE", cp({ "token", 16 }))
message(0x0b, "PROBE", cp({ "seq", 8 }, { "timestamp_ms", 8 }))
message(0x0c, "PROBE_ACK", cp({ "seq", 8 }, { "timestamp_ms", 8 }))
message(0x0d, "REKEY", cp({ "generation", 4 }, { "reserved", 4 }))
message(0x0e, "REKEY_ACK", cp({ "generation", 4 }, { "reserved", 4 }))
message(0x0f, "HANDSHAKE_COOKIE", {
	{ "type", 1 }, { "reserved", 3 }, { "initiator_id", 8 },
	{ "cookie_nonce", 24 }, { "sealed_cookie", 32 } }, 68)
-- a whole HANDSHAKE_INIT / _RESP as the body of a session-bound message
message(0x11, "REHANDSHAKE_INIT", cp({ "inner_handshake", 152 }))
message(0x12, "REHANDSHAKE_RESP", cp({ "inner_handshake", 84 }))
message(0x10, "DATA", {
	{ "type", 1 }, { "version", 1 }, { "flags", 1 }, { "reserved", 1 },
	{ "session_id", 8 }, { "counter", 8 }, { "ciphertext", 0 }, { "tag", TAG_LEN } }, nil)

-- Every field, by the name used in `messages`. Each filter name is
-- jvpn.<name>.
local field = {
	type = ProtoField.uint8("jvpn.type", "Type", base.HEX, msg_names),
	version = ProtoField.uint8("jvpn.version", "Version", base.DEC),
	version_min = ProtoField.uint8("jvpn.version_min", "Version min", base.DEC),
	version_max = ProtoField.uint8("jvpn.version_max", "Version max", base.DEC),
	flags = ProtoField.uint8("jvpn.flags", "Flags", base.HEX),
	key_phase = ProtoField.bool("jvpn.key_phase", "Key phase", 8, nil, 0x01),
	reserved = ProtoField.bytes("jvpn.reserved", "Reserved"),
	session_id = ProtoField.uint64("jvpn.session_id", "Session id", base.HEX),
	counter = ProtoField.uint64("jvpn.counter", "Counter", base.DEC),
	ciphertext = ProtoField.bytes("jvpn.ciphertext", "Ciphertext"),
	tag = ProtoField.bytes("jvpn.tag", "Poly1305 tag"),
	initiator_id = ProtoField.uint64("jvpn.initiator_id", "Initiator id", base.HEX),
	ephemeral = ProtoField.bytes("jvpn.ephemeral", "Ephemeral public key"),
	encrypted_static = ProtoField.bytes("jvpn.encrypted_static", "Encrypted static key"),
	encrypted_timestamp = ProtoField.bytes("jvpn.encrypted_timestamp", "Encrypted timestamp"),
	confirm = ProtoField.bytes("jvpn.confirm", "Key confirmation"),
	mac1 = ProtoField.bytes("jvpn.mac1", "mac1"),
	mac2 = ProtoField.bytes("jvpn.mac2", "mac2 (cookie proof, zero when none)"),
	cookie_nonce = ProtoField.bytes("jvpn.cookie_nonce", "Cookie nonce"),
	sealed_cookie = ProtoField.bytes("jvpn.sealed_cookie", "Sealed cookie"),
	inner_handshake = ProtoField.bytes("jvpn.inner_handshake", "Fresh handshake message"),
	reason16 = ProtoField.uint16("jvpn.reason", "Reason", base.DEC, reasons),
	state_version = ProtoField.uint64("jvpn.state_version", "State version", base.DEC),
	nonce = ProtoField.uint64("jvpn.nonce", "Nonce", base.DEC),
	timestamp_ms = ProtoField.uint64("jvpn.timestamp_ms", "Timestamp (ms)", base.DEC),
	transport_class = ProtoField.uint8("jvpn.transport_class", "Transport class", base.DEC,
		transport_classes),
	request_nonce = ProtoField.uint64("jvpn.request_nonce", "Request nonce", base.DEC),
	token = ProtoField.bytes("jvpn.token", "Token"),
	retry_after_ms = ProtoField.uint32("jvpn.retry_after_ms", "Retry after (ms)", base.DEC),
	nonce_floor = ProtoField.uint64("jvpn.nonce_floor", "Nonce floor", base.DEC),
	seq = ProtoField.uint64("jvpn.seq", "Sequence", base.DEC),
	generation = ProtoField.uint32("jvpn.generation", "Generation", base.DEC),
	mac = ProtoField.bytes("jvpn.mac", "HMAC-SHA256"),
	notice = ProtoField.bool("jvpn.notice", "Switch notice (request_nonce 0)"),
}

local expert_len = ProtoExpert.new("jvpn.bad_length", "Length is not the message's",
	expert.group.MALFORMED, expert.severity.ERROR)
local expert_type = ProtoExpert.new("jvpn.unknown_type", "Unknown message type",
	expert.group.MALFORMED, expert.severity.WARN)

local list = {}
for _, f in pairs(field) do list[#list + 1] = f end
jvpn.fields = list
jvpn.experts = { expert_len, expert_type }

-- Sum of the fixed sizes of a layout: a variable message's minimum.
local function fixed_len(layout)
	local n = 0
	for _, f in ipairs(layout) do n = n + f[2] end
	return n
end

local function add_field(tree, name, range)
	local item = tree:add(field[name], range)
	if name == "flags" then
		item:add(field.key_phase, range)
	elseif name == "request_nonce" and range:uint64():tonumber() == 0 then
		tree:add(field.notice, range, true):set_generated()
	end
end

local function dissect(buf, pinfo, root)
	local len = buf:len()
	if len < 1 then return 0 end
	local code = buf(0, 1):uint()
	local m = messages[code]
	pinfo.cols.protocol = "JVPN"
	local tree = root:add(jvpn, buf(), "Jumping VPN")
	if not m then
		tree:add(field.type, buf(0, 1))
		tree:add_proto_expert_info(expert_type)
		pinfo.cols.info = string.format("Unknown type 0x%02x", code)
		return len
	end
	local want = m.len or fixed_len(m.layout)
	if (m.len and len ~= m.len) or len < want then
		tree:add(field.type, buf(0, 1))
		tree:add_proto_expert_info(expert_len, string.format(
			"%s is %s%d bytes, this one %d", m.name, m.len and "" or "at least ", want, len))
		pinfo.cols.info = m.name .. " (bad length)"
		return len
	end
	local off, rest, info = 0, len - want, m.name
	for _, f in ipairs(m.layout) do
		local size = f[2] == 0 and rest or f[2]
		if size > 0 then add_field(tree, f[1], buf(off, size)) end
		if f[1] == "session_id" then
			info = string.format("%s session=0x%s", info, buf(off, 8):uint64():tohex())
		end
		off = off + size
	end
	tree:append_text(", " .. m.name)
	pinfo.cols.info = info
	return len
end

function jvpn.dissector(buf, pinfo, root)
	return dissect(buf, pinfo, root)
end

-- The heuristic: a known type at its exact length (data: at least the
-- header and tag, version 1). Other UDP traffic is left alone.
local function heuristic(buf, pinfo, root)
	local len = buf:len()
	if len < 1 then return false end
	local m = messages[buf(0, 1):uint()]
	if not m then return false end
	if m.len then
		if len ~= m.len then return false end
	elseif len < fixed_len(m.layout) or buf(1, 1):uint() ~= 1 then
		return false
	end
	dissect(buf, pinfo, root)
	return true
end

jvpn.prefs.udp_port = Pref.uint("UDP port", DEFAULT_PORT, "jvpnd's listen port")

local registered_port
function jvpn.prefs_changed()
	local udp = DissectorTable.get("udp.port")
	if registered_port then udp:remove(registered_port, jvpn) end
	registered_port = jvpn.prefs.udp_port
	if registered_port ~= 0 then udp:add(registered_port, jvpn) end
end

DissectorTable.get("udp.port"):add(DEFAULT_PORT, jvpn)
registered_port = DEFAULT_PORT
jvpn:register_heuristic("udp", heuristic)
