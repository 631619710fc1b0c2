/* bench_floor.c — the least a dashboard on mc's libraries can weigh, for
 * bench_footprint.py: it links what mc links (ncursesw, SQLite, libyaml,
 * cJSON, libc, libm through SQLite), sets the locale, opens the cache
 * read-only, runs one query, draws one screen and waits for a key. Its peak
 * RSS is the floor under mc's: library pages and ncurses' three screens,
 * before mc's own code and data.  Usage: bench_floor CACHE.db */
#include <cjson/cJSON.h>
#include <curses.h>
#include <locale.h>
#include <sqlite3.h>
#include <stdio.h>
#include <yaml.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bench_floor CACHE.db\n");
        return 2;
    }
    setlocale(LC_ALL, "");
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_delete(&parser);
    cJSON_Delete(cJSON_Parse("{}"));
    sqlite3 *db = NULL;
    char text[64] = "no cache";
    if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) == SQLITE_OK
            && sqlite3_step(st) == SQLITE_ROW)
            snprintf(text, sizeof text, "%d objects", sqlite3_column_int(st, 0));
        sqlite3_finalize(st);
    }
    initscr();
    cbreak();
    noecho();
    mvprintw(0, 0, "%s, any key to quit", text);
    refresh();
    getch();
    endwin();
    sqlite3_close(db);
    return 0;
}
