/**
 * Capture files: {@link nemesis.drivers.pcap.PcapWriter} writes libpcap with nanosecond
 * timestamps (emulated time), {@link nemesis.drivers.pcap.PcapReader} reads them back for tests.
 * Check a capture with {@code tshark -r FILE}.
 */
package nemesis.drivers.pcap;
