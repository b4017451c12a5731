#!/usr/bin/env bash
# Frame times of the real window panning and zooming a big plan under Xvfb
# (issue 19): opens FILE, waits WAIT seconds for it to load, drags the map for
# about 6 s, then turns the wheel; the window prints its frame times every two
# seconds (RENEWAL_PLANNER_FRAME_STATS) into OUT (default frame-stats.log).
# Needs xvfb-run and xdotool. Run from the checkout after `cargo build --release`:
#   tools/pan_window.sh target/bench-cities/city_1000000.geojson 40
set -euo pipefail
file=${1:?usage: tools/pan_window.sh FILE [WAIT_S] [OUT]}
wait_s=${2:-20}
out=${3:-frame-stats.log}
bin="$(pwd)/target/release/renewal-planner"
export FILE="$file" WAIT_S="$wait_s" OUT="$out" BIN="$bin"
xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" bash -c '
  unset WAYLAND_DISPLAY; export WINIT_X11_SCALE_FACTOR=1
  RENEWAL_PLANNER_FRAME_STATS=1 RENEWAL_PLANNER_HOME="$(mktemp -d)" "$BIN" "$FILE" 2> "$OUT" & pid=$!
  sleep "$WAIT_S"
  xdotool mousemove 500 400; sleep 2.5
  xdotool mousedown 1
  for i in $(seq 1 150); do xdotool mousemove $((500 + (i % 50) * 4)) $((400 + (i % 30) * 3)); sleep 0.02; done
  xdotool mouseup 1; sleep 2.5
  for i in $(seq 1 40); do xdotool click $(( (i / 10) % 2 == 0 ? 4 : 5 )); sleep 0.05; done
  sleep 2.5
  kill $pid; wait $pid 2>/dev/null || true'
cat "$out"
