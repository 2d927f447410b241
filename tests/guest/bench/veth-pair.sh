# Benchmark configuration "veth": a veth pair inside the guest, no device
# at all: what the guest's own stack moves between two namespaces on these
# vCPUs (the ceiling any NIC model is measured against).
# Runs with tests/guest/bench/iperf-pair.sh appended (scripts/benchmark.py).
# var: SECONDS_IPERF=10
# timeout: 300

modprobe veth
ip link add snv0 type veth peer name snv1 || abort "cannot create a veth pair"
if0=snv0 if1=snv1
