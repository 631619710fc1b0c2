/* log.h — mc's log file ($XDG_STATE_HOME/mission-control/mc.log): one line per
 * event, UTC time, level, message. Thread-safe. Never write a secret here. */
#ifndef MC_LOG_H
#define MC_LOG_H

/* Opens (appending) the log; NULL path keeps logging off. Returns 0 or -1. */
int log_open(const char *path);
void log_close(void);
void log_msg(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define log_info(...) log_msg("info", __VA_ARGS__)
#define log_warn(...) log_msg("warn", __VA_ARGS__)
#define log_error(...) log_msg("error", __VA_ARGS__)

#endif
