// The registry of device kinds a testbed may declare, and of the drivers that reach a device.
//
// A kind names what a device is (its role in the fabric), never how it is reached: the same kind
// runs on the emulator and on gear. To add a kind, append it here with a one-line description;
// the testbed loader accepts it at once and `fabric-hil validate` lists it in its hints.

export interface DeviceKind {
  id: string;
  description: string;
}

export const DEVICE_KINDS: readonly DeviceKind[] = [
  { id: 'switch', description: 'Ethernet switch (generic L2/L3 fabric switch)' },
  { id: 'router', description: 'IP router, e.g. an 800GE data-centre interconnect router' },
  { id: 'host', description: 'end host with one or more NIC ports' },
  { id: 'nic', description: 'network interface card under test on its own' },
  { id: 'traffic-generator', description: 'traffic generator / analyser (OTG-like flows and metrics)' },
  { id: 'gse-gsp', description: 'GSE N2N source/destination switch (GSP: containers, request/grant)' },
  { id: 'gse-gsf', description: 'GSE N2N fabric switch (GSF: container spraying between GSPs)' },
  { id: 'gse-border', description: 'GSE border switch joining a GSE fabric to an Ethernet network' },
  { id: 'gse-core', description: 'GSE core switch of a multi-tier GSE fabric' },
  { id: 'uec-switch', description: 'Ultra Ethernet switch (packet trimming, LLR, CBFC)' },
  { id: 'uec-nic', description: 'Ultra Ethernet NIC running the UET transport (PDS, SES, CMS)' },
  { id: 'scaleup-switch', description: 'scale-up interconnect switch (UALink, SUE, ESUN, EthLink, ETH+, ETH-X)' },
  { id: 'accelerator', description: 'accelerator (GPU/XPU) endpoint on a scale-up or scale-out fabric' },
  { id: 'optical-module', description: 'pluggable or co-packaged optical module managed through CMIS' },
  { id: 'els', description: 'external laser source feeding co-packaged optics' },
];

/** Drivers that reach a device. `emulator` stands alone; the lab drivers may be combined. */
export const DRIVERS = ['emulator', 'netconf', 'snmp', 'serial', 'otg'] as const;
export type DriverName = (typeof DRIVERS)[number];

/** Lab drivers: each has a settings section of the same name in the binding (otg: an OTG-like traffic API). */
export const LAB_DRIVERS = ['netconf', 'snmp', 'serial', 'otg'] as const;
export type LabDriverName = (typeof LAB_DRIVERS)[number];

const kindIds = new Set(DEVICE_KINDS.map((k) => k.id));

export function isKnownKind(kind: string): boolean {
  return kindIds.has(kind);
}

export function isKnownDriver(name: string): name is DriverName {
  return (DRIVERS as readonly string[]).includes(name);
}

export function isLabDriver(name: string): name is LabDriverName {
  return (LAB_DRIVERS as readonly string[]).includes(name);
}
