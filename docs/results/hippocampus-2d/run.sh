#!/usr/bin/env bash
# Runs (or resumes) the paper-2d-hippo sweep on ../shared/data/msd-hippocampus and writes its report here.
# The store lives in .sweeps/hippocampus-2d/ (ignored by git), so a later session resumes where this one stopped:
# run this script again. Ctrl+C or kill pauses it; trials that finished stay done.
#   bash docs/results/hippocampus-2d/run.sh            import (once), create (once), run/resume, report
#   WORKERS=1 bash docs/results/hippocampus-2d/run.sh  one trial at a time (default: one per core)
set -euo pipefail
cd "$(dirname "$0")/../../.."
data=../shared/data/msd-hippocampus
home=.sweeps/hippocampus-2d
wb() { node src/main/cli/bin.mjs --db "$home/store.db" --workspace "$home/ws" --no-sample "$@"; }
mkdir -p "$home"
[ -d "$data" ] || { echo "run.sh: $data is not here (the MSD hippocampus set)"; exit 1; }
# Reads JSON on stdin and prints what the expression (of `it`) gives.
pick() { node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{const it=JSON.parse(s);process.stdout.write(String(eval(process.argv[1])??""))})' "$1"; }
if [ -z "$(wb datasets --json | pick 'it.find((d) => d.name === "hippocampus")?.name')" ]; then wb import "$data" --name hippocampus; fi
sweep=$(wb sweep list --json | pick 'it.find((e) => e.sweep.definition.preset === "paper-2d-hippo")?.sweep.id')
if [ -z "$sweep" ]; then
  sweep=$(wb sweep create --dataset hippocampus --preset paper-2d-hippo --json | pick 'it.sweepId')
  echo "run.sh: created sweep $sweep"
  wb sweep run "$sweep" ${WORKERS:+--workers "$WORKERS"}
else
  echo "run.sh: resuming sweep $sweep"
  wb sweep resume "$sweep" ${WORKERS:+--workers "$WORKERS"}
fi
# The dense baseline is checked against the PyTorch twin's dense runs of the same protocol where they were written
# (QUALITY_RUNS=dense0,dense1,dense2 QUALITY_OUT=docs/results/hippocampus-2d/pytorch-twin.json npm run bench -- training-quality).
twin=docs/results/hippocampus-2d/pytorch-twin.json
reference=()
if [ -f "$twin" ]; then reference=(--reference "$twin"); fi
wb report --sweep "$sweep" --out docs/results/hippocampus-2d "${reference[@]}"
