#!/usr/bin/env bash
# meson install into a temp DESTDIR lists the expected files (binary, man
# page, layouts, the example config under share/doc, the systemd user unit,
# bash and zsh completion); the unit runs `fetch --daemon` with restart on
# failure; the bash completion loads and completes commands, options,
# datasets and source ids from the config; the first-run message names the
# installed example. -Dprogram_name=NAME (a configured-only build dir, read
# with meson introspect --installed: a second full build would take minutes
# on a small box) installs binary, man page, unit and completions as NAME
# and nothing as mc.
. "$(dirname "$0")/lib.sh"
BUILD=$(dirname "$MC")
[ -f "$BUILD/build.ninja" ] || { echo "SKIP: $MC is not in a meson build dir"; exit 77; }
prefix=$(meson introspect "$BUILD" --buildoptions | python3 -c "import json,sys; print([o['value'] for o in json.load(sys.stdin) if o['name']=='prefix'][0])")
prog=$(meson introspect "$BUILD" --buildoptions | python3 -c "import json,sys; print([o['value'] for o in json.load(sys.stdin) if o['name']=='program_name'][0])")
meson install -C "$BUILD" --destdir "$T/root" --no-rebuild --quiet >"$T/inst.out" 2>&1; rc=$?
check "meson install --destdir exits 0" [ $rc -eq 0 ] || cat "$T/inst.out"
R="$T/root$prefix"
for f in "bin/$prog" "share/man/man1/$prog.1" share/mission-control/layouts/default.yaml \
         share/doc/mission-control/mc.yaml.example "lib/systemd/user/$prog-fetch.service" \
         "share/bash-completion/completions/$prog" "share/zsh/site-functions/_$prog"; do
    check "installs $f" [ -f "$R/$f" ]
done
check "the binary runs" "$R/bin/$prog" --version
check "the installed man page is mc.1" cmp -s "$R/share/man/man1/$prog.1" "${MC_SRC_DIR:-$TESTS_DIR/..}/mc.1"
U="$R/lib/systemd/user/$prog-fetch.service"
check "the unit runs fetch --daemon from the installed binary" grep -qx "ExecStart=$prefix/bin/$prog fetch --daemon" "$U"
check "... restarts on failure" grep -qx "Restart=on-failure" "$U"
check "... is wanted by default.target" grep -qx "WantedBy=default.target" "$U"
if command -v systemd-analyze >/dev/null 2>&1; then
    systemd-analyze verify --user "$U" >/dev/null 2>"$T/v" ; true   # advisory: needs a user manager
fi

# bash completion
mkdir -p "$XDG_CONFIG_HOME/mission-control"
printf 'sources:\n  - id: handoffs\n    kind: jsonl\n    path: /x\n  - {id: "pg-main", kind: system}\n' \
    > "$XDG_CONFIG_HOME/mission-control/mc.yaml"
comp() {   # comp WORDS...: what bash completes for the last word
    bash --norc --noprofile -c '
        source "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
        _'"${prog//-/_}"' ; printf "%s\n" "${COMPREPLY[@]}"' _ "$R/share/bash-completion/completions/$prog" "$@" | sort | tr '\n' ' '
}
check "bash completion loads and registers $prog" bash --norc --noprofile -c "source '$R/share/bash-completion/completions/$prog' && complete -p $prog | grep -q _"
got=$(comp "$prog" ex); check "completes commands ('ex' -> export): $got" [ "$got" = "export " ]
got=$(comp "$prog" export --dataset a); check "completes datasets: $got" [ "$got" = "activity agents audit " ]
got=$(comp "$prog" export --f); check "completes a command's options: $got" [ "$got" = "--fields --format " ]
got=$(comp "$prog" fetch --source ""); check "completes source ids from the config: $got" [ "$got" = "handoffs pg-main " ]
got=$(comp "$prog" export --format n); check "completes formats: $got" [ "$got" = "ndjson " ]
if command -v zsh >/dev/null 2>&1; then
    check "the zsh completion parses" zsh -n "$R/share/zsh/site-functions/_$prog"
fi

# -Dprogram_name: everything named after the program under the new name
SRC=${MC_SRC_DIR:-$TESTS_DIR/..}
N=mission-control P2="$T/pfx"
if meson setup "$T/b2" "$SRC" -Dprefix="$P2" -Dprogram_name=$N >"$T/setup2.out" 2>&1; then
    meson introspect "$T/b2" --installed | python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin).values()))' \
        | sed "s|^$P2/||" | sort >"$T/inst2"
    for f in "bin/$N" "share/man/man1/$N.1" "lib/systemd/user/$N-fetch.service" \
             "share/bash-completion/completions/$N" "share/zsh/site-functions/_$N" \
             share/doc/mission-control/mc.yaml.example; do
        check "-Dprogram_name=$N installs $f" grep -qxF "$f" "$T/inst2"
    done
    for f in bin/mc share/man/man1/mc.1 lib/systemd/user/mc-fetch.service \
             share/bash-completion/completions/mc share/zsh/site-functions/_mc; do
        check "-Dprogram_name=$N installs no $f" bash -c '! grep -qxF "$1" "$2"' _ "$f" "$T/inst2"
    done
    check "... the man page installed as $N.1 is mc.1" \
        bash -c 'meson introspect "$1" --installed | grep -q "\"$2/mc.1\": \"$3/share/man/man1/$4.1\""' _ "$T/b2" "$(cd "$SRC" && pwd)" "$P2" "$N"
    check "... its unit runs $N fetch --daemon" grep -qx "ExecStart=$P2/bin/$N fetch --daemon" "$T/b2/$N-fetch.service"
    check "... its bash completion completes $N" grep -qx "complete -o default -F _mission_control $N" "$T/b2/$N.bash"
    check "... its zsh completion is for $N" grep -qx "#compdef $N" "$T/b2/_$N"
else
    cat "$T/setup2.out"
    fail "meson setup -Dprogram_name=$N"
fi

# the first-run message names the installed example
rm "$XDG_CONFIG_HOME/mission-control/mc.yaml"
"$MC" snapshot >/dev/null 2>"$T/e"
check "first-run message points at the installed example" grep -qF "$prefix/share/doc/mission-control/mc.yaml.example" "$T/e"
finish
