/* tzfile.h — a zone's UTC offset from the system tz database, without TZ.
 * The daemon's daily brief runs at a wall-clock time in a configured zone
 * (brief.tz); setting TZ and calling tzset/localtime would change the zone of
 * the whole process, under the feet of threads that parse local times (the
 * cron_logs source), and setenv is not thread-safe. So the zone's file
 * (/usr/share/zoneinfo/NAME, or $TZDIR/NAME) is read and interpreted here
 * (RFC 8536 TZif: the 64-bit transitions, then the footer's POSIX TZ rule for
 * times after the last transition), a pure function of the name and the
 * time. No global state, no locks. */
#ifndef MC_TZFILE_H
#define MC_TZFILE_H

#include <stdint.h>

/* The offset of local time from UTC in seconds (east positive: Chicago in
 * summer -18000) in zone `name` at epoch ms t. NULL or "UTC" is 0. Returns
 * 0, or -1 with *err (an unknown zone, a file that is not TZif). */
int tz_offset(const char *name, int64_t t_ms, int *offset_s, char **err);

#endif
