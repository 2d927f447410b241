#include "trace/trace-hw_net_sriov_nic.h"
