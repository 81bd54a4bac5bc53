#!/usr/bin/env bash
# Reproduces the shipped LEED weights: one command per model, every stage, the step counts, seeds and data paths of
# the shipped run (training/README.md, "Reproducing the shipped weights").
#
#   training/train.sh disentangler [--dry-run] [--from STAGE]    (npm run train:disentangler -- ...)
#   training/train.sh refiner      [--dry-run] [--from STAGE]    (npm run train:refiner -- ...)
#
# --dry-run     print the checks and the commands, run nothing
# --from STAGE  skip the stages before STAGE (after an interruption; the stage names are printed as "# == NAME")
#
# Environment: PYTHON (default python3; the interpreter with torch), LEED_DATA (default ../shared/data/faces),
# LEED_COLOR_DATA (default ../shared/data/faces-color: the presets).
# Run from anywhere; paths are relative to the repository root.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python3}
DATA=${LEED_DATA:-../shared/data/faces}
LANDMARKS=data-out/landmarks.jsonl
COLOR_DATA=${LEED_COLOR_DATA:-../shared/data/faces-color}
COLOR_LANDMARKS=data-out/landmarks-color.jsonl
REFINER_DATA=training/out/refiner-data
WINDOWS=.gpu/refiner-mouth
CKPT=training/out/refiner.pt
# refiner_train.py stops at --max-steps or after --minutes, whichever comes first; the shipped step counts are the
# stopping points here, so the time limit is set out of reach (about 69 days)
NO_TIME_LIMIT=100000

usage() { echo "usage: training/train.sh disentangler|refiner [--dry-run] [--from STAGE]" >&2; exit 2; }

MODEL=${1:-}
[[ $MODEL == disentangler || $MODEL == refiner ]] || usage
shift
DRY=0
FROM=
while [[ $# -gt 0 ]]; do
  case $1 in
    --dry-run) DRY=1 ;;
    --from) [[ $# -ge 2 ]] || usage; FROM=$2; shift ;;
    *) usage ;;
  esac
  shift
done

if [[ $MODEL == disentangler ]]; then
  STAGES=(landmarks train export presets check)
  MODULES=(torch numpy)
else
  STAGES=(landmarks data stage1 stage2 windows stage3 stage4 stage5 eval export demo check)
  MODULES=(torch numpy scipy PIL)
fi
if [[ -n $FROM && " ${STAGES[*]} " != *" $FROM "* ]]; then
  echo "train.sh: no stage '$FROM' for the $MODEL; stages: ${STAGES[*]}" >&2
  exit 2
fi

# ---- checks: stop before anything runs (a dry run reports them and goes on) ----
problems=0
problem() {
  problems=$((problems + 1))
  if [[ $DRY == 1 ]]; then echo "# MISSING (a real run stops here): $*"; else echo "train.sh: $*" >&2; fi
}
if [[ ! -f $DATA/faces.csv || ! -d $DATA/images ]]; then
  problem "training data not found: $DATA must hold faces.csv and images/ (the project's ../shared/data/faces; set LEED_DATA to use another folder)"
fi
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  problem "no Python interpreter '$PYTHON' (set PYTHON=/path/to/python3)"
elif ! "$PYTHON" -c "import torch" >/dev/null 2>&1; then
  problem "PyTorch is not installed for $PYTHON: Debian 'apt-get install python3-torch' (CPU) or 'pip install torch' (set PYTHON to the interpreter that has it)"
else
  for m in "${MODULES[@]:1}"; do
    "$PYTHON" -c "import $m" >/dev/null 2>&1 || problem "Python module '$m' is not installed for $PYTHON"
  done
fi
if [[ ! -x node_modules/.bin/tsx || ! -x node_modules/.bin/vitest ]]; then
  problem "node_modules missing: run 'npm install' first"
fi
if [[ $problems -gt 0 && $DRY == 0 ]]; then exit 1; fi
[[ $problems -eq 0 && $DRY == 1 ]] && echo "# checks ok: data $DATA, $PYTHON with ${MODULES[*]}, node_modules"

# ---- stages ----
started=0
[[ -z $FROM ]] && started=1
# stage NAME: whether NAME runs (prints its header); false for the stages before --from
stage() {
  if [[ $started == 0 && $1 == "$FROM" ]]; then started=1; fi
  if [[ $started == 0 ]]; then echo "# -- $1: skipped (--from $FROM)"; return 1; fi
  echo "# == $1"
}
# run CMD...: print it (shell-quoted), and run it unless --dry-run
run() {
  if [[ $DRY == 1 ]]; then printf '%q ' "$@"; echo; return; fi
  printf '+ '; printf '%q ' "$@"; echo
  "$@"
}
# the stages that ran on the CPU for the shipped weights stay there on a GPU machine too
CPU=(env CUDA_VISIBLE_DEVICES= nice)

if stage landmarks; then
  # the app's own engine in Node (tfjs WASM); resumes where an earlier run stopped, so a finished file costs nothing
  run npm run landmarks -- "$DATA" "$LANDMARKS"
fi

if [[ $MODEL == disentangler ]]; then
  if stage train; then
    # 5000 steps, seed 1234, one CPU thread: the shipped run (training/README.md: a rerun on the same machine and PyTorch is
    # bit-identical); writes training/out/disentangler.pt and prints the neutral-error report
    run "${CPU[@]}" "$PYTHON" training/train_disentangler.py --landmarks "$LANDMARKS" --data "$DATA" \
      --steps 5000 --seed 1234 --batch 128 --threads 1 --device cpu
  fi
  if stage export; then
    # public/models/leed/disentangler.json + .bin (float16), the parity golden, sha256s in public/models/manifest.json
    run "$PYTHON" training/export_disentangler.py --ckpt training/out/disentangler.pt
  fi
  if stage presets; then
    # presets and the neutral statistics come from the colour set (labels allowed there): its landmarks first (resumes)
    run npm run landmarks -- "$COLOR_DATA" "$COLOR_LANDMARKS"
    run npx tsx training/make_presets.ts --landmarks "$COLOR_LANDMARKS" --data "$COLOR_DATA"
  fi
  if stage check; then
    run npx vitest run tests/disentangle.test.ts tests/target.test.ts tests/target-photo.test.ts
  fi
  echo "# done (the evaluation tables: npm run eval -- --data $DATA)"
  exit 0
fi

# ---- refiner ----
if stage data; then
  # refiner_data.py appends shards after the ones already there: start from an empty folder
  if [[ $DRY == 0 ]] && compgen -G "$REFINER_DATA/pairs-*.npz" >/dev/null; then
    echo "train.sh: $REFINER_DATA already holds pairs-*.npz; move it away to regenerate, or start at the training: --from stage1" >&2
    exit 1
  fi
  run nice "$PYTHON" training/refiner_data.py --landmarks "$LANDMARKS" --images "$DATA/images" \
    --out "$REFINER_DATA" --size 128 --variants 1 --seed 1234
fi
if stage stage1; then
  # CPU: 9000 steps on the round trip as it comes (a fresh network: no --resume)
  run "${CPU[@]}" "$PYTHON" training/refiner_train.py --data "$REFINER_DATA" --out "$CKPT" \
    --max-steps 9000 --minutes "$NO_TIME_LIMIT"
fi
# the resumed stages need the previous stage's checkpoint (refiner_train.py would start afresh without one)
need_ckpt() {
  if [[ $DRY == 0 && ! -f $CKPT ]]; then echo "train.sh: $CKPT missing: run the earlier stages first" >&2; exit 1; fi
}
if stage stage2; then
  need_ckpt
  # CPU: to step 15000, half the samples with a smoothed mouth interior
  run "${CPU[@]}" "$PYTHON" training/refiner_train.py --data "$REFINER_DATA" --out "$CKPT" --resume \
    --smooth-mouth 0.5 --max-steps 15000 --minutes "$NO_TIME_LIMIT"
fi
if stage windows; then
  # 72 px windows around the mouth (what the GPU stages were trained on)
  run "$PYTHON" training/refiner_windows.py --data "$REFINER_DATA" --out "$WINDOWS"
fi
if stage stage3; then
  need_ckpt
  if [[ $DRY == 1 ]]; then
    echo "# stages 3-4 ran on one CUDA GPU: refiner_train.py takes CUDA when torch sees one, else the CPU (same steps, much slower)"
  else
    echo "# stages 3-4 on $("$PYTHON" -c "import torch; print('cuda (' + torch.cuda.get_device_name(0) + ')' if torch.cuda.is_available() else 'the CPU (no CUDA device; same steps, much slower)')")"
  fi
  run "$PYTHON" training/refiner_train.py --data "$WINDOWS" --out "$CKPT" --resume --fill-mouth 0.5 \
    --smooth-mouth 0 --gan-weight 0.3 --batch 32 --p-mouth 0.8 --threads 4 --max-steps 21897 --minutes "$NO_TIME_LIMIT"
fi
if stage stage4; then
  need_ckpt
  run "$PYTHON" training/refiner_train.py --data "$WINDOWS" --out "$CKPT" --resume --fill-mouth 0.5 \
    --smooth-mouth 0 --gan-weight 0.5 --batch 32 --p-mouth 0.8 --threads 7 --max-steps 31424 --minutes "$NO_TIME_LIMIT"
fi
if stage stage5; then
  need_ckpt
  # CPU: back on the full crops, to step 33000
  run "${CPU[@]}" "$PYTHON" training/refiner_train.py --data "$REFINER_DATA" --out "$CKPT" --resume --fill-mouth 0.5 \
    --smooth-mouth 0 --gan-weight 0.5 --lr 2e-4 --batch 16 --p-mouth 0.5 --max-steps 33000 --minutes "$NO_TIME_LIMIT"
fi
if stage eval; then
  need_ckpt
  run "${CPU[@]}" "$PYTHON" training/refiner_train.py --data "$REFINER_DATA" --out "$CKPT" --resume --eval-only
fi
if stage export; then
  need_ckpt
  # public/models/leed/refiner.json + .bin, sha256s in public/models/manifest.json, tests/fixtures/refiner-golden.json
  run "$PYTHON" training/refiner_export.py --ckpt "$CKPT"
fi
if stage demo; then
  run npx tsx training/refiner_demo.ts
fi
if stage check; then
  run npx vitest run tests/refine.test.ts
fi
echo "# done"
