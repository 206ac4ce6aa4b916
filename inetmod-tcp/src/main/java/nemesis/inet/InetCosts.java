package nemesis.inet;

import nemesis.kernel.MachineProfile;

/**
 * The CPU InetMod's protocol code costs, from the machine profile ({@code inet.*} keys; 0 when a
 * profile does not give them). Per packet: {@code inet.udp_output_ns} and {@code inet.udp_input_ns}
 * per datagram, {@code inet.ip_output_ns} and {@code inet.ip_input_ns} per frame (fragment),
 * {@code inet.icmp_ns} per ICMP message. Per byte, in picoseconds: {@code inet.checksum_byte_ps}
 * for each byte summed, {@code inet.copy_byte_ps} for each byte copied (payload to or from the
 * application, fragment into a reassembly buffer).
 */
public final class InetCosts {
    public final long udpOutputNs;
    public final long udpInputNs;
    public final long ipOutputNs;
    public final long ipInputNs;
    public final long icmpNs;
    public final long checksumBytePs;
    public final long copyBytePs;
    /** tcp_output per segment sent, tcp_input per segment received, and a timer thread's wake-up. */
    public final long tcpOutputNs;
    public final long tcpInputNs;
    public final long tcpTimerNs;

    public InetCosts(MachineProfile m) {
        udpOutputNs = m.costNs("inet.udp_output_ns", 0);
        udpInputNs = m.costNs("inet.udp_input_ns", 0);
        ipOutputNs = m.costNs("inet.ip_output_ns", 0);
        ipInputNs = m.costNs("inet.ip_input_ns", 0);
        icmpNs = m.costNs("inet.icmp_ns", 0);
        checksumBytePs = m.costNs("inet.checksum_byte_ps", 0);
        copyBytePs = m.costNs("inet.copy_byte_ps", 0);
        tcpOutputNs = m.costNs("inet.tcp_output_ns", 0);
        tcpInputNs = m.costNs("inet.tcp_input_ns", 0);
        tcpTimerNs = m.costNs("inet.tcp_timer_ns", 0);
    }

    /** Summing {@code bytes} for a checksum, rounded up to whole ns. */
    public long checksumNs(long bytes) {
        return Math.ceilDiv(bytes * checksumBytePs, 1000);
    }

    /** Copying {@code bytes}, rounded up to whole ns. */
    public long copyNs(long bytes) {
        return Math.ceilDiv(bytes * copyBytePs, 1000);
    }
}
