#!/bin/sh
# Writes server.properties from the environment, formats the log dir on first start (KRaft needs a
# cluster id in meta.properties before the broker starts), then runs the broker in the foreground.
#   KAFKA_ADVERTISED_HOST  the name clients reach this broker by (default: the pod's hostname; in a
#                          StatefulSet behind a headless Service, set it to <pod>.<service>)
#   KAFKA_CLUSTER_ID       22-character URL-safe base64 id (default: a random one, drawn once)
#   KAFKA_HEAP_OPTS        JVM heap (default -Xms128m -Xmx512m)
set -eu
host="${KAFKA_ADVERTISED_HOST:-$(hostname)}"
conf=/tmp/kafka
mkdir -p "$conf"
cat >"$conf/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:9093
listeners=PLAINTEXT://0.0.0.0:9092,CONTROLLER://127.0.0.1:9093
advertised.listeners=PLAINTEXT://${host}:9092
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=${KAFKA_DATA}
auto.create.topics.enable=false
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
cat >"$conf/log4j2.properties" <<'LOG'
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = stdout
appender.stdout.type = Console
appender.stdout.name = stdout
appender.stdout.layout.type = PatternLayout
appender.stdout.layout.pattern = [%d] %p %m (%c)%n
LOG
# shellcheck disable=SC2086 # KAFKA_HEAP_OPTS is a list of JVM options
set -- ${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m} -XX:+UseSerialGC -Djava.awt.headless=true \
  "-Dlog4j2.configurationFile=$conf/log4j2.properties" -cp '/opt/kafka/libs/*'
if [ ! -f "$KAFKA_DATA/meta.properties" ]; then
  # Kafka's own Uuid.randomUuid redraws ids starting with '-': the storage tool would read one as an option.
  id="${KAFKA_CLUSTER_ID:-}"
  while [ -z "$id" ] || [ "${id#-}" != "$id" ]; do
    id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
  done
  java "$@" kafka.tools.StorageTool format -t "$id" -c "$conf/server.properties"
fi
exec java "$@" kafka.Kafka "$conf/server.properties"
