#!/bin/bash
# Starts a single-node KRaft Kafka: writes server.properties into $KAFKA_DATA (the emptyDir), formats
# the storage there when it is empty (a new cluster id each time: a new pod is a new cluster, as the
# e2e's emptyDir means), then execs the broker so it receives SIGTERM and shuts down cleanly.
#   KAFKA_ADVERTISED_LISTENERS  what clients are told to connect to: the Service name (PLAINTEXT://kafka:9092)
#   KAFKA_HEAP_OPTS             JVM heap (default -Xms128m -Xmx512m)
# A file $KAFKA_DATA/hold keeps the broker from starting until it is removed (see the wait below).
set -euo pipefail
data="$KAFKA_DATA"
config="$data/server.properties"

# Settings as the integration stack's broker (e2e/stack/kafka.ts): one replica for every internal topic,
# few partitions so the first consumer group does not wait for fifty, no initial rebalance delay.
cat >"$config" <<PROPERTIES
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:9093
listeners=PLAINTEXT://0.0.0.0:9092,CONTROLLER://127.0.0.1:9093
advertised.listeners=$KAFKA_ADVERTISED_LISTENERS
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$data/logs
auto.create.topics.enable=true
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=5
transaction.state.log.replication.factor=1
transaction.state.log.num.partitions=5
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPERTIES

# The serial collector and C1 only: a small broker on 2 shared cores starts faster and needs no more.
# shellcheck disable=SC2206 # KAFKA_HEAP_OPTS is a list of JVM flags
jvm=($KAFKA_HEAP_OPTS -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true
  -XX:SharedArchiveFile=/opt/kafka/kafka.jsa -Xshare:auto
  -Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties -cp '/opt/kafka/libs/*')

if [[ ! -f "$data/logs/meta.properties" ]]; then
  # 16 random bytes in URL-safe base64 without padding, as `kafka-storage.sh random-uuid` prints;
  # never starting with '-', which the storage tool would read as an option.
  cluster_id="-"
  while [[ "$cluster_id" == -* ]]; do
    cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
  done
  java "${jvm[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$config"
fi
# An outage on demand (the kind tier's broker drill): while $KAFKA_DATA/hold exists, a restarted
# container waits here instead of starting the broker, so the outage lasts as long as the drill says.
while [[ -e "$data/hold" ]]; do sleep 1; done
exec java "${jvm[@]}" kafka.Kafka "$config"
