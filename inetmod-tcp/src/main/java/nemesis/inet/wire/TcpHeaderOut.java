package nemesis.inet.wire;

import java.lang.foreign.MemorySegment;
import nemesis.wire.BigEndian;

/**
 * The header of a TCP segment to send, as fields, and its writer ({@link #write}). The TCP core
 * fills one (it reuses it from segment to segment: nothing is allocated per segment) and hands it
 * to its output sink with the stream range of the payload; the sink writes the header where its
 * frame is built, gathers the payload, computes the checksum ({@link TcpChecksum}) and sends.
 *
 * <p>Options are written as 4.4BSD's and Linux's {@code tcp_output} lay them out, padded with NOPs
 * to 32-bit boundaries: on a SYN, MSS; NOP + window scale; SACK-permitted + timestamps (or
 * NOP NOP + timestamps, or NOP NOP + SACK-permitted); on other segments NOP NOP + timestamps and
 * NOP NOP + SACK blocks. At most 40 bytes: timestamps leave room for three SACK blocks, without
 * them four fit (RFC 2018 §3).
 */
public final class TcpHeaderOut {
    /** Addresses of the IPv4 header (and of the checksum's pseudo-header). */
    public int srcIp;
    public int dstIp;
    public int srcPort;
    public int dstPort;
    /** 32-bit sequence and acknowledgment numbers. */
    public int seq;
    public int ack;
    /** Control bits, {@link TcpHeader#SYN} etc. */
    public int flags;
    /** The window field as it goes on the wire (already shifted right by our scale; 0..65535). */
    public int window;
    public int urgent;
    /** MSS option value, or -1 for none. */
    public int mss = -1;
    /** Window scale shift count, or -1 for none. */
    public int wscale = -1;
    public boolean sackPermitted;
    public boolean timestamps;
    public int tsVal;
    public int tsEcr;
    /** SACK blocks to send (0..4), edges in {@link #sackLeft}/{@link #sackRight}. */
    public int sackCount;
    public final int[] sackLeft = new int[TcpHeader.MAX_SACK_BLOCKS];
    public final int[] sackRight = new int[TcpHeader.MAX_SACK_BLOCKS];

    /** Forgets every option and field (before filling a new header). */
    public TcpHeaderOut clear() {
        srcIp = 0;
        dstIp = 0;
        srcPort = 0;
        dstPort = 0;
        seq = 0;
        ack = 0;
        flags = 0;
        window = 0;
        urgent = 0;
        mss = -1;
        wscale = -1;
        sackPermitted = false;
        timestamps = false;
        tsVal = 0;
        tsEcr = 0;
        sackCount = 0;
        return this;
    }

    /** The most SACK blocks that fit beside the other options. */
    public int sackRoom() {
        int used = fixedOptionsLength();
        return Math.min(TcpHeader.MAX_SACK_BLOCKS, (TcpHeader.MAX_OPTIONS_LEN - used - 4) / 8);
    }

    private int fixedOptionsLength() {
        int n = 0;
        if (mss >= 0) {
            n += 4;
        }
        if (wscale >= 0) {
            n += 4;
        }
        if (timestamps) {
            n += 12; // SACK-permitted takes the place of the two NOPs
        } else if (sackPermitted) {
            n += 4;
        }
        return n;
    }

    /** Bytes of options, padding included (a multiple of 4). */
    public int optionsLength() {
        int n = fixedOptionsLength();
        int blocks = Math.min(sackCount, sackRoom());
        if (blocks > 0) {
            n += 4 + 8 * blocks;
        }
        return n;
    }

    /** The header's length: 20 + options. */
    public int headerLength() {
        return TcpHeader.MIN_HEADER_LEN + optionsLength();
    }

    /**
     * Writes the header at {@code off} with a zero checksum; returns its length. SACK blocks that
     * do not fit are left out (the first ones are kept: RFC 2018 §4 puts the newest first).
     */
    public int write(MemorySegment m, long off) {
        int hl = headerLength();
        BigEndian.u16(m, off + TcpHeader.SRC_PORT_OFFSET, srcPort);
        BigEndian.u16(m, off + TcpHeader.DST_PORT_OFFSET, dstPort);
        BigEndian.i32(m, off + TcpHeader.SEQ_OFFSET, seq);
        BigEndian.i32(m, off + TcpHeader.ACK_OFFSET, ack);
        BigEndian.u8(m, off + TcpHeader.DATA_OFFSET_OFFSET, (hl / 4) << 4);
        BigEndian.u8(m, off + TcpHeader.FLAGS_OFFSET, flags);
        BigEndian.u16(m, off + TcpHeader.WINDOW_OFFSET, window);
        BigEndian.u16(m, off + TcpHeader.CHECKSUM_OFFSET, 0);
        BigEndian.u16(m, off + TcpHeader.URGENT_OFFSET, urgent);
        long p = off + TcpHeader.OPTIONS_OFFSET;
        if (mss >= 0) {
            BigEndian.u8(m, p, TcpHeader.OPT_MSS);
            BigEndian.u8(m, p + 1, 4);
            BigEndian.u16(m, p + 2, mss);
            p += 4;
        }
        if (wscale >= 0) {
            BigEndian.u8(m, p, TcpHeader.OPT_NOP);
            BigEndian.u8(m, p + 1, TcpHeader.OPT_WSCALE);
            BigEndian.u8(m, p + 2, 3);
            BigEndian.u8(m, p + 3, wscale);
            p += 4;
        }
        if (timestamps) {
            if (sackPermitted) {
                BigEndian.u8(m, p, TcpHeader.OPT_SACK_PERMITTED);
                BigEndian.u8(m, p + 1, 2);
            } else {
                BigEndian.u8(m, p, TcpHeader.OPT_NOP);
                BigEndian.u8(m, p + 1, TcpHeader.OPT_NOP);
            }
            BigEndian.u8(m, p + 2, TcpHeader.OPT_TIMESTAMPS);
            BigEndian.u8(m, p + 3, 10);
            BigEndian.i32(m, p + 4, tsVal);
            BigEndian.i32(m, p + 8, tsEcr);
            p += 12;
        } else if (sackPermitted) {
            BigEndian.u8(m, p, TcpHeader.OPT_NOP);
            BigEndian.u8(m, p + 1, TcpHeader.OPT_NOP);
            BigEndian.u8(m, p + 2, TcpHeader.OPT_SACK_PERMITTED);
            BigEndian.u8(m, p + 3, 2);
            p += 4;
        }
        int blocks = Math.min(sackCount, sackRoom());
        if (blocks > 0) {
            BigEndian.u8(m, p, TcpHeader.OPT_NOP);
            BigEndian.u8(m, p + 1, TcpHeader.OPT_NOP);
            BigEndian.u8(m, p + 2, TcpHeader.OPT_SACK);
            BigEndian.u8(m, p + 3, 2 + 8 * blocks);
            p += 4;
            for (int i = 0; i < blocks; i++) {
                BigEndian.i32(m, p, sackLeft[i]);
                BigEndian.i32(m, p + 4, sackRight[i]);
                p += 8;
            }
        }
        assert p == off + hl;
        return hl;
    }

    /** The flags as letters, tcpdump style ({@code S}, {@code S.}, {@code F.}, {@code R.}, {@code .}). */
    public static String flagString(int flags) {
        StringBuilder b = new StringBuilder();
        if ((flags & TcpHeader.SYN) != 0) {
            b.append('S');
        }
        if ((flags & TcpHeader.FIN) != 0) {
            b.append('F');
        }
        if ((flags & TcpHeader.RST) != 0) {
            b.append('R');
        }
        if ((flags & TcpHeader.PSH) != 0) {
            b.append('P');
        }
        if ((flags & TcpHeader.ACK) != 0) {
            b.append('.');
        }
        return b.toString();
    }

    @Override
    public String toString() {
        return srcPort + ">" + dstPort + " [" + flagString(flags) + "] seq " + Integer.toUnsignedString(seq) + " ack "
                + Integer.toUnsignedString(ack) + " win " + window;
    }
}
