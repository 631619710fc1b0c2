/* test_schedule.c — backoff, circuit breaker and rate budget, driven with an
 * injected clock (every function takes `now`). */
#include "thelp.h"
#include "../src/schedule.h"

static void test_backoff(void)
{
    /* no failures: the interval with bounded jitter */
    CHECK_INT(sched_next_delay(0, 30000, 600000, 0.1, 0.5), 30000);
    CHECK(sched_next_delay(0, 30000, 600000, 0.1, 0.0) >= 27000);
    CHECK(sched_next_delay(0, 30000, 600000, 0.1, 1.0) <= 33000);
    /* failures: first retry after min(interval, 5s), doubling, capped */
    CHECK_INT(sched_next_delay(1, 30000, 600000, 0.1, 0.0), 5000);
    CHECK_INT(sched_next_delay(2, 30000, 600000, 0.1, 0.0), 10000);
    CHECK_INT(sched_next_delay(3, 30000, 600000, 0.1, 0.0), 20000);
    CHECK_INT(sched_next_delay(10, 30000, 600000, 0.1, 0.0), 600000);
    CHECK_INT(sched_next_delay(60, 30000, 600000, 0.1, 0.0), 600000);
    /* jitter on backoff stays within +20% */
    CHECK(sched_next_delay(10, 30000, 600000, 0.1, 1.0) <= 720000);
    /* a short interval retries at its own pace */
    CHECK_INT(sched_next_delay(1, 1000, 600000, 0.0, 0.0), 1000);
}

static void test_breaker(void)
{
    Breaker b = {0};
    int64_t t = 1000000;
    for (int i = 0; i < 4; i++) {
        CHECK(breaker_allow(&b, t));
        breaker_record(&b, 0, 5, 60000, t);
        CHECK_INT(b.state, BREAKER_CLOSED);
    }
    breaker_record(&b, 0, 5, 60000, t);
    CHECK_INT(b.state, BREAKER_OPEN);
    CHECK(!breaker_allow(&b, t + 59999));
    /* one half-open probe after the open time, and only one */
    CHECK(breaker_allow(&b, t + 60000));
    CHECK_INT(b.state, BREAKER_HALF_OPEN);
    CHECK(!breaker_allow(&b, t + 60001));
    /* a failed probe re-opens at once */
    breaker_record(&b, 0, 5, 60000, t + 60002);
    CHECK_INT(b.state, BREAKER_OPEN);
    CHECK(!breaker_allow(&b, t + 60003));
    CHECK(breaker_allow(&b, t + 120002));
    /* a good probe closes it and clears the count */
    breaker_record(&b, 1, 5, 60000, t + 120003);
    CHECK_INT(b.state, BREAKER_CLOSED);
    CHECK_INT(b.failures, 0);
    CHECK(breaker_allow(&b, t + 120004));
}

static void test_rate(void)
{
    RateBudget r = {0};
    r.per_min = 3;
    int64_t t = 60000 * 1000; /* start of a minute */
    CHECK_INT(rate_wait(&r, t), 0);
    rate_note(&r, t, 1);
    rate_note(&r, t + 10, 2);
    CHECK_INT(rate_wait(&r, t + 20), 60000 - 20);
    CHECK_INT(rate_wait(&r, t + 60000), 0);

    RateBudget h = {0};
    h.per_hour = 10;
    for (int m = 0; m < 10; m++)
        rate_note(&h, t + m * 60000, 1);
    /* ten used in the hour: wait until the first minute leaves the window */
    CHECK_INT(rate_wait(&h, t + 10 * 60000), 50 * 60000);
    CHECK_INT(rate_wait(&h, t + 60 * 60000), 0);
}

int main(void)
{
    RUN(test_backoff);
    RUN(test_breaker);
    RUN(test_rate);
    return t_done();
}
