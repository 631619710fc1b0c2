/* demo.h — `mc --demo`: built-in sample files (handoffs, pending work,
 * projects, cron logs, agent states, revenue snapshots, usage) written to a
 * private directory, a config whose sources read them plus this machine's real
 * system metrics, and a background thread that keeps the demo alive (new
 * activity, agents changing task) while you watch. No network needed. */
#ifndef MC_DEMO_H
#define MC_DEMO_H

/* Writes the sample files into a private directory ($XDG_RUNTIME_DIR or
 * /tmp, "mc-demo-<uid>", mode 0700; rewritten fresh each call, the demo cache
 * kept) and returns the demo config YAML. *dir and *config_text are new
 * strings; caller frees. Returns 0 or -1 with *err. */
int demo_prepare(char **dir, char **config_text, char **err);

/* Starts / stops the thread that appends activity and updates agent state
 * files in dir every few seconds (file I/O only, never the screen). */
int demo_sim_start(const char *dir);
void demo_sim_stop(void);

#endif
