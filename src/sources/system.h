/* system.h — the parts of the `system` source kind (src/sources/system.c)
 * that are pure functions, exported so tests can check the math directly.
 * Everything else is reached through src_system_class. */
#ifndef MC_SOURCES_SYSTEM_H
#define MC_SOURCES_SYSTEM_H

/* One machine's measurements, as the health score sees them. */
typedef struct SysMetrics {
    double cpu_pct, mem_pct, disk_pct;   /* 0..100 */
    double load1;
    int ncpu;                            /* >= 1 */
    int services_down;                   /* probes that failed (disks that could not be read count) */
} SysMetrics;

/* Health score 0..100: starts at 100; cpu, memory and disk each cost 15 at or
 * over warn_pct and 30 at or over crit_pct; every service down costs 20; load1
 * over ncpu * 1.5 costs 10; clamped to 0..100. */
int src_system_health(const SysMetrics *m, double warn_pct, double crit_pct);

#endif
