# shellcheck shell=bash
# jvpnd's /metrics (docs/metrics.md): scraped with curl inside each
# daemon's namespace, every line parsed against the text format's grammar,
# values checked against what the test made happen. Needs daemon.sh.

METRICS_PORT=9100

# metrics_check FILE: parses a scrape by the exposition grammar (HELP and
# TYPE before a family's samples, contiguous families, escaped labels,
# numbers, counters named *_total, no duplicate series, histograms with
# cumulative buckets, +Inf = _count, a _sum); prints each sample as
# "name|k=v,k=v|value" (labels sorted) or fails naming the line.
metrics_check() {
	python3 - "$1" <<'PY'
import re
import sys

NAME = re.compile(r'[a-zA-Z_:][a-zA-Z0-9_:]*')
LABEL = re.compile(r'[a-zA-Z_][a-zA-Z0-9_]*')
NUMBER = re.compile(r'[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$|[+-]Inf$|NaN$')
TYPES = {'counter', 'gauge', 'histogram', 'summary', 'untyped'}


def fail(n, line, why):
    sys.exit(f'line {n}: {why}: {line!r}')


def labels_of(text, n, line):
    """k="v",k="v" with \\\\, \\" and \\n escapes; a trailing comma is legal."""
    out, i = {}, 0
    while i < len(text):
        m = LABEL.match(text, i)
        if not m or text[m.end():m.end() + 2] != '="':
            fail(n, line, 'bad label')
        key, i, value = m.group(), m.end() + 2, ''
        while True:
            if i >= len(text):
                fail(n, line, 'unterminated label value')
            c = text[i]
            if c == '"':
                break
            if c == '\\':
                esc = text[i + 1:i + 2]
                if esc not in ('\\', '"', 'n'):
                    fail(n, line, 'bad escape')
                value += '\n' if esc == 'n' else esc
                i += 2
                continue
            if c == '\n':
                fail(n, line, 'raw newline')
            value += c
            i += 1
        if key in out:
            fail(n, line, 'label twice')
        out[key] = value
        i += 1
        if i < len(text):
            if text[i] != ',':
                fail(n, line, 'expected , between labels')
            i += 1
    return out


def parse_sample(n, line):
    m = NAME.match(line)
    if not m:
        fail(n, line, 'no metric name')
    name, rest, labels = m.group(), line[m.end():], {}
    if rest.startswith('{'):
        end = rest.rfind('}')
        if end < 0:
            fail(n, line, 'no closing brace')
        labels, rest = labels_of(rest[1:end], n, line), rest[end + 1:]
    parts = rest.split(' ')
    if parts[0] != '' or len(parts) not in (2, 3) or not NUMBER.match(parts[1]):
        fail(n, line, 'bad value')
    if len(parts) == 3 and not re.fullmatch(r'-?\d+', parts[2]):
        fail(n, line, 'bad timestamp')
    return name, labels, parts[1]


def family_of(name, types):
    for suffix in ('_bucket', '_sum', '_count'):
        base = name[:-len(suffix)]
        if name.endswith(suffix) and types.get(base) in ('histogram', 'summary'):
            return base
    return name


def check_histograms(samples, types):
    for fam, kind in types.items():
        if kind != 'histogram':
            continue
        series = {}
        for name, labels, value in samples:
            if family_of(name, types) != fam:
                continue
            key = tuple(sorted((k, v) for k, v in labels.items() if k != 'le'))
            s = series.setdefault(key, {'buckets': []})
            if name == fam + '_bucket':
                s['buckets'].append((float(labels['le']), float(value)))
            else:
                s[name[len(fam):]] = float(value)
        if not series:
            sys.exit(f'histogram {fam}: no samples')
        for key, s in series.items():
            b = s['buckets']
            if not b or b[-1][0] != float('inf'):
                sys.exit(f'histogram {fam}{key}: no +Inf bucket last')
            if any(b[i][0] >= b[i + 1][0] or b[i][1] > b[i + 1][1]
                   for i in range(len(b) - 1)):
                sys.exit(f'histogram {fam}{key}: buckets not cumulative')
            if '_sum' not in s or s.get('_count') != b[-1][1]:
                sys.exit(f'histogram {fam}{key}: _sum missing or _count != +Inf')


def main(path):
    text = open(path, encoding='utf-8').read()
    if not text.endswith('\n'):
        sys.exit('the text does not end with a newline')
    types, helps, done, samples, seen = {}, set(), set(), [], set()
    current = None
    for n, line in enumerate(text[:-1].split('\n'), 1):
        if line.startswith('#'):
            f = line.split(' ', 3)
            if len(f) >= 3 and f[1] in ('HELP', 'TYPE'):
                if not NAME.fullmatch(f[2]) or f[2] in done:
                    fail(n, line, 'bad or repeated family')
                if f[1] == 'TYPE':
                    if len(f) != 4 or f[3] not in TYPES or f[2] in types:
                        fail(n, line, 'bad TYPE')
                    types[f[2]] = f[3]
                elif f[2] in helps:
                    fail(n, line, 'HELP twice')
                else:
                    helps.add(f[2])
                if current and current != f[2]:
                    done.add(current)
                current = f[2]
            continue
        if not line.strip():
            fail(n, line, 'empty line')
        name, labels, value = parse_sample(n, line)
        fam = family_of(name, types)
        if fam not in types:
            fail(n, line, 'sample before its TYPE')
        if fam != current:
            fail(n, line, 'family not contiguous')
        if types[fam] == 'counter' and not name.endswith('_total'):
            fail(n, line, 'counter not named *_total')
        key = (name, tuple(sorted(labels.items())))
        if key in seen:
            fail(n, line, 'duplicate series')
        seen.add(key)
        samples.append((name, labels, value))
    check_histograms(samples, types)
    for name, labels, value in samples:
        flat = ','.join(f'{k}={v}' for k, v in sorted(labels.items()))
        print(f'{name}|{flat}|{value}')


main(sys.argv[1])
PY
}

# metric PARSED 'name|labels': the value, or nothing
metric() { awk -F'|' -v k="$2" '$1 "|" $2 == k { print $3 }' "$1"; }

# metrics_scrape NS OUT: GET /metrics in NS into OUT.body, OUT.hdr and,
# parsed, OUT (fails on a bad status, header or line)
metrics_scrape() {
	local ns=$1 out=$2
	ns_exec "$ns" curl -sS --max-time 5 -D "$out.hdr" -o "$out.body" \
		"http://127.0.0.1:$METRICS_PORT/metrics"
	head -n 1 "$out.hdr" | grep -q '^HTTP/1.1 200 '
	grep -qi '^Content-Type: text/plain; version=0.0.4' "$out.hdr"
	grep -qi '^Connection: close' "$out.hdr"
	metrics_check "$out.body" >"$out"
}

metrics_conf_line() {
	sed -i "/^\[interface\]/a metrics-listen = 127.0.0.1:$METRICS_PORT" "$1"
}

tcp_listening() { ip netns exec "$1" ss -tlnH "sport = :$2" | grep -q .; }

# metrics_set NS CONF on|off: adds (or removes) metrics-listen and reloads
metrics_set() {
	local ns=$1 conf=$2
	sed -i '/^metrics-listen/d' "$conf"
	[[ $3 == off ]] || metrics_conf_line "$conf"
	ns_exec "$ns" pkill -HUP -f "jvpnd --config $conf"
	if [[ $3 == off ]]; then
		wait_until 5 expect_fail tcp_listening "$ns" "$METRICS_PORT"
	else
		wait_until 5 tcp_listening "$ns" "$METRICS_PORT"
	fi
}

# metrics_up DIR: daemon.sh's two daemons, metrics on in both namespaces
# through a reload
metrics_up() {
	daemon_up "$1"
	metrics_set jg "$1/gw.conf" on
	metrics_set jc "$1/cl.conf" on
}

# metrics_from_start: daemon.sh's config writers, each followed by the
# metrics-listen line (the test runs in a subshell: nothing else sees this)
metrics_from_start() {
	eval "$(declare -f daemon_conf_gateway | sed '1s/^daemon_conf_gateway/_metrics_orig_gw/')"
	eval "$(declare -f daemon_conf_client | sed '1s/^daemon_conf_client/_metrics_orig_cl/')"
	daemon_conf_gateway() { _metrics_orig_gw "$@" && metrics_conf_line "$1/gw.conf"; }
	daemon_conf_client() { _metrics_orig_cl "$@" && metrics_conf_line "$1/cl.conf"; }
}

# status NS ARGS...: the HTTP status curl gets for ARGS
http_status() {
	local ns=$1
	shift
	ns_exec "$ns" curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$@"
}

# raw_request NS TEXT: sends TEXT (printf format) as is, prints the
# status line of the answer
raw_request() {
	ns_exec "$1" bash -c 'exec 3<>/dev/tcp/127.0.0.1/'"$METRICS_PORT"' &&
		printf "$1" >&3 && timeout 5 head -n 1 <&3' _ "$2"
}

# One ACTIVE session each side, then an uplink failover: the switch, the
# reattach latency and the kernel's counters move, in both daemons.
# gateway_switches_agree DIR: the switches jvpnd_switches_total counts are
# the TRANSPORT_SWITCH events in the log, read before and after a scrape
gateway_switches_agree() {
	local before after counted
	before=$(grep -c '"type":"TRANSPORT_SWITCH".*"reason":"reattached"' "$1/gw.events")
	metrics_scrape jg "$1/jg.3" >/dev/null
	after=$(grep -c '"type":"TRANSPORT_SWITCH".*"reason":"reattached"' "$1/gw.events")
	counted=$(metric "$1/jg.3" 'jvpnd_switches_total|reason=reattached')
	echo "gateway switches: events $before..$after, metrics $counted"
	((before == after && counted == after))
}

test_metrics_scrape_and_failover() {
	local dir ns m k before after
	require_cmd curl python3
	dir=$(mktemp -d)
	metrics_from_start
	daemon_up "$dir"
	grep -q '^metrics-listen' "$dir/gw.conf"
	grep -q '^metrics-listen' "$dir/cl.conf"
	wait_until 5 tcp_listening jg "$METRICS_PORT"
	wait_until 5 tcp_listening jc "$METRICS_PORT"
	jc ping -c 3 -i 0.2 -W 2 172.16.0.1
	for ns in jg jc; do
		metrics_scrape "$ns" "$dir/$ns.1"
		expect_eq "$(metric "$dir/$ns.1" 'jvpnd_sessions|state=ACTIVE')" 1 "$ns ACTIVE sessions"
		expect_eq "$(metric "$dir/$ns.1" 'jvpnd_sessions|state=VOLATILE')" 0 "$ns VOLATILE sessions"
		expect_eq "$(metric "$dir/$ns.1" 'jvpnd_up|')" 1 "$ns up"
		expect_eq "$(metric "$dir/$ns.1" 'jvpn_sessions|device=jvpn0')" 1 "$ns kernel sessions"
		expect_eq "$(metric "$dir/$ns.1" 'jvpnd_kernel_query_success|device=jvpn0')" 1 "$ns kernel query"
		expect_ge "$(metric "$dir/$ns.1" 'jvpn_rx_packets_total|device=jvpn0')" 3 "$ns rx packets"
		grep -q '^jvpnd_build_info|role=.*,version=' "$dir/$ns.1"
	done
	expect_eq "$(metric "$dir/jg.1" 'jvpnd_sessions_created_total|')" 1 "gateway sessions created"
	jc ip link set ua down
	wait_until 20 client_bound_to 10.2.0.2
	jc ping -c 2 -i 0.2 -W 2 172.16.0.1
	for ns in jg jc; do
		metrics_scrape "$ns" "$dir/$ns.2"
		grep -E '^jvpnd_(switches|reattach_latency|sessions)' "$dir/$ns.2.body" | sed "s/^/$ns: /"
		# moved by the failover (a loaded emulator may add a switch of
		# its own before it: compare, do not assume zero)
		for m in jvpnd_reattach_latency_seconds_count jvpnd_switches_total \
			 jvpnd_reattach_successes_total; do
			k="$m|"
			[[ $m == *_count ]] || k="$m|reason=reattached"
			before=$(metric "$dir/$ns.1" "$k")
			after=$(metric "$dir/$ns.2" "$k")
			expect_ge "$after" $((before + 1)) "$ns $k"
		done
		expect_ge "$(metric "$dir/$ns.2" 'jvpn_switches_total|device=jvpn0')" 1 "$ns kernel switches"
		[[ $ns == jg ]] ||	# the gateway may see the new path first
			expect_ge "$(metric "$dir/$ns.2" 'jvpnd_state_transitions_total|to=VOLATILE')" 1 "$ns to VOLATILE"
		expect_eq "$(metric "$dir/$ns.2" 'jvpnd_sessions|state=ACTIVE')" 1 "$ns ACTIVE after"
		# a finite latency, inside the +Inf bucket's count
		python3 -c 'import sys; s=float(sys.argv[1]); assert 0 < s < 20, s' \
			"$(metric "$dir/$ns.2" 'jvpnd_reattach_latency_seconds_sum|')"
	done
	# the event log and the metrics agree on what happened (a late
	# duplicate reattach may still switch: compare one settled moment)
	if ! wait_until 10 gateway_switches_agree "$dir"; then
		grep -E 'SWITCH|REATTACH' "$dir/gw.events"
		return 1
	fi
	grep -E 'SWITCH|REATTACH' "$dir/gw.events" "$dir/cl.events"
}

# Not /metrics: 404; not GET or HEAD: 405; not HTTP: 400; too long: 431;
# HTTP/1.0 and HEAD work; silent clients take every slot (503 for the
# next) until their deadline, and the daemon does not wait for them.
test_metrics_http() {
	local dir i
	require_cmd curl python3
	dir=$(mktemp -d)
	metrics_up "$dir"
	expect_eq "$(http_status jg "http://127.0.0.1:$METRICS_PORT/")" 404 "GET /"
	expect_eq "$(http_status jg "http://127.0.0.1:$METRICS_PORT/nothing")" 404 "GET /nothing"
	expect_eq "$(http_status jg -X POST "http://127.0.0.1:$METRICS_PORT/metrics")" 405 "POST"
	expect_eq "$(http_status jg -X DELETE "http://127.0.0.1:$METRICS_PORT/metrics")" 405 "DELETE"
	ns_exec jg curl -s -X PUT -D - -o /dev/null "http://127.0.0.1:$METRICS_PORT/metrics" |
		grep -qi '^Allow: GET, HEAD'
	expect_eq "$(http_status jg --http1.0 "http://127.0.0.1:$METRICS_PORT/metrics")" 200 "HTTP/1.0"
	expect_eq "$(http_status jg -I "http://127.0.0.1:$METRICS_PORT/metrics")" 200 "HEAD"
	# DNS rebinding: a page of evil.example, its name rebound to 127.0.0.1,
	# reaches the endpoint from a browser here, with its own name as Host
	expect_eq "$(http_status jg -H "Host: evil.example:$METRICS_PORT" \
		"http://127.0.0.1:$METRICS_PORT/metrics")" 421 "Host: evil.example"
	expect_eq "$(http_status jg -H "Host: localhost:$METRICS_PORT" \
		"http://127.0.0.1:$METRICS_PORT/metrics")" 200 "Host: localhost"
	raw_request jg 'garbage\r\n\r\n' | grep -q '^HTTP/1.1 400 '
	raw_request jg 'GET /metrics HTTP/1.1\r\n\r\n' | grep -q '^HTTP/1.1 400 '	# no Host
	raw_request jg 'GET /metrics HTTP/2.0\r\n\r\n' | grep -q '^HTTP/1.1 505 '
	raw_request jg "GET /metrics HTTP/1.1\\r\\nX: $(head -c 65000 /dev/zero | tr '\0' a)\\r\\n\\r\\n" |
		grep -q '^HTTP/1.1 431 '
	# eight silent connections hold every slot
	ns_exec jg bash -c 'for i in 1 2 3 4 5 6 7 8; do
		exec {fd}<>/dev/tcp/127.0.0.1/'"$METRICS_PORT"'; done; sleep 8' &
	sleep 1
	expect_eq "$(http_status jg "http://127.0.0.1:$METRICS_PORT/metrics")" 503 "a ninth client"
	# the daemon itself does not wait for them
	jc ping -c 2 -i 0.2 -W 2 172.16.0.1
	# their deadline (5 s) frees the slots
	wait_until 10 sh -c "[ \"\$(ip netns exec jg curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$METRICS_PORT/metrics)\" = 200 ]"
	metrics_scrape jg "$dir/m"
	grep '^jvpnd_metrics_responses_total' "$dir/m"
	expect_ge "$(metric "$dir/m" 'jvpnd_metrics_responses_total|code=none')" 8 "closed at the deadline"
	expect_ge "$(metric "$dir/m" 'jvpnd_metrics_responses_total|code=503')" 1 "busy answers"
	expect_ge "$(metric "$dir/m" 'jvpnd_metrics_responses_total|code=404')" 2 "404 answers"
	expect_eq "$(metric "$dir/m" 'jvpnd_metrics_responses_total|code=421')" 1 "421 answers"
}

# Off unless configured: no TCP socket at all; a reload turns it on and
# off again, and the session never notices.
test_metrics_off_by_default() {
	local dir id
	require_cmd curl python3
	dir=$(mktemp -d)
	daemon_up "$dir"
	id=$(sfield jg id)
	expect_eq "$(ip netns exec jg ss -tlnH | wc -l)" 0 "TCP listeners in the gateway's namespace"
	expect_eq "$(ip netns exec jc ss -tlnH | wc -l)" 0 "TCP listeners in the client's namespace"
	expect_fail ns_exec jg curl -s --max-time 2 "http://127.0.0.1:$METRICS_PORT/metrics"
	metrics_set jg "$dir/gw.conf" on
	metrics_scrape jg "$dir/m"
	# only on loopback
	ip netns exec jg ss -tlnH | grep -q "127.0.0.1:$METRICS_PORT"
	metrics_set jg "$dir/gw.conf" off
	expect_eq "$(ip netns exec jg ss -tlnH | wc -l)" 0 "TCP listeners after turning it off"
	expect_eq "$(sfield jg id)" "$id" "gateway session through the reloads"
	jc ping -c 2 -i 0.2 -W 2 172.16.0.1
}
