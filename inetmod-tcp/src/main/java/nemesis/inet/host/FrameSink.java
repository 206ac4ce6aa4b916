package nemesis.inet.host;

import java.lang.foreign.MemorySegment;

/**
 * Where a {@link HostStack} puts the frames it sends: a NIC. The frame is at
 * {@code [offset, offset + length)} of {@code frame} and is the stack's until the call returns
 * (copy it). A sink must not call back into the stack: queue what it receives instead (as a wire
 * does).
 */
@FunctionalInterface
public interface FrameSink {
    void send(MemorySegment frame, long offset, int length, long nowNs);
}
