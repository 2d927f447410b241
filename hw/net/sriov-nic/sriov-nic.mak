# Minimal x86_64 device set for sriov-nic (configure --with-devices-x86_64=sriov-nic):
# q35 + root ports, our device, and the peers benchmarked side by side.
CONFIG_Q35=y
CONFIG_PCIE_PORT=y
CONFIG_SRIOV_NIC=y
CONFIG_VIRTIO_PCI=y
CONFIG_VIRTIO_NET=y
CONFIG_IGB_PCI_EXPRESS=y
CONFIG_E1000E_PCI_EXPRESS=y
CONFIG_VTD=y
