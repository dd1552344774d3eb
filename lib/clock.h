/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The clocks jvpn reads. BOOTTIME is the clock of the kernel's last-rx
 * and event times (uapi/linux/jvpn.h), so every timer that is compared
 * with them uses it; MONOTONIC for durations a process measures itself;
 * REALTIME only for what people and other machines read.
 */
#ifndef JVPN_CLOCK_H
#define JVPN_CLOCK_H

#include <stdint.h>
#include <time.h>

uint64_t jvpn_clock_ns(clockid_t clock);

static inline uint64_t jvpn_boot_ns(void)
{
	return jvpn_clock_ns(CLOCK_BOOTTIME);
}

static inline uint64_t jvpn_boot_us(void)
{
	return jvpn_boot_ns() / 1000;
}

static inline uint64_t jvpn_boot_ms(void)
{
	return jvpn_boot_ns() / 1000000;
}

static inline uint64_t jvpn_mono_ns(void)
{
	return jvpn_clock_ns(CLOCK_MONOTONIC);
}

static inline uint64_t jvpn_mono_ms(void)
{
	return jvpn_mono_ns() / 1000000;
}

static inline uint64_t jvpn_wall_ms(void)
{
	return jvpn_clock_ns(CLOCK_REALTIME) / 1000000;
}

#endif /* JVPN_CLOCK_H */
