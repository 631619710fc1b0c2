/* stats_cards.h — the numbers of the stats cards (open blockers, YTD
 * revenue, failing jobs, agents online, cost today), computed in one place
 * from the cache: the stats widget (widgets/stats.c) draws them and
 * `mc serve` returns them as GET /api/overview. No curses here. */
#ifndef MC_STATS_CARDS_H
#define MC_STATS_CARDS_H

#include <stdint.h>
#include <sqlite3.h>
#include "config.h"

typedef enum {
    STATS_BLOCKERS, STATS_REVENUE, STATS_FAILING, STATS_AGENTS, STATS_COST, STATS_ALERTS,
    STATS__COUNT
} StatsCard;

/* Each card's name: the widget's `cards:` option and the overview's JSON
 * field ("open_blockers", "ytd_revenue", "failing_jobs", "agents_online",
 * "cost_today", "open_alerts"). */
extern const char *const stats_card_names[STATS__COUNT];

/* Open blockers are counted up to this many (a bounded query). */
#define STATS_BLOCKERS_CAP 1000

/* The numbers; NAN where the cache has none (no table, no rows). */
typedef struct StatsCards {
    double open_blockers;      /* needing the owner, not snoozed; at most STATS_BLOCKERS_CAP */
    int blockers_capped;       /* open_blockers reached the cap */
    int blockers_seen;         /* any blocker row at all (else the card has no data) */
    double ytd_revenue;        /* the latest snapshot of each source, summed */
    double failing_jobs;       /* enabled jobs failing; NAN when there are no jobs */
    double jobs;
    double agents_online;      /* seen within cfg->stale_ms (15m); NAN when no agents */
    double agents;             /* agents (the first 500 rows) */
    double cost_today;         /* usage of the UTC day of now, else the agents' own figure */
    double open_alerts;        /* open and not snoozed; NAN when the cache has no alerts table */
    double alerts_crit, alerts_warn;  /* of them, crit and warn */
} StatsCards;

/* Computes the cards in mask (bits 1u << StatsCard; the others stay NAN)
 * from db at now (epoch ms). 0, or -1 with *err (caller frees) when the
 * cache cannot be read. */
int stats_cards_compute(sqlite3 *db, const Config *cfg, int64_t now, unsigned mask,
                        StatsCards *out, char **err);

#endif
