#!/bin/bash
# logoutrace.sh BIN ROUNDS: whoami gets a 498 (plex.tv's clock is past the token's expiry) on a
# slow GET /api/v2/user; logout runs while that request is in flight. Counts the rounds after
# which token.json exists again.
BIN=$1; ROUNDS=$2
URL=${PLEXKIT_PLEXTV_URL:?set it to the URL of a running plexkit emulator}
export PLEXKIT_PLEXTV_URL=$URL
back=0
for i in $(seq $ROUNDS); do
  export PLEXKIT_CONFIG_DIR=/tmp/cfg-race-$i; rm -rf $PLEXKIT_CONFIG_DIR
  ($BIN login > /dev/null 2>&1 &); sleep 1
  CODE=$(curl -s $URL/__emulator/pins | python3 -c "import json,sys; d=json.load(sys.stdin); print([p['code'] for p in d if not p['claimed']][-1])")
  curl -s -X POST -d "code=$CODE&user=alice" $URL/__emulator/pins/claim; sleep 1.5
  curl -s -X POST -d "advance=192h" $URL/__emulator/clock > /dev/null
  curl -s -X POST --data-urlencode 'endpoint=GET /api/v2/user' -d latency=600ms -d count=1 $URL/__emulator/faults > /dev/null
  $BIN whoami > /dev/null 2>&1 & w=$!
  sleep 0.3
  $BIN logout > /dev/null 2>&1
  wait $w
  [ -e $PLEXKIT_CONFIG_DIR/token.json ] && back=$((back+1))
  curl -s -X POST --data-urlencode 'endpoint=GET /api/v2/user' $URL/__emulator/faults > /dev/null
done
echo "$BIN: token.json back after logout in $back of $ROUNDS rounds"
