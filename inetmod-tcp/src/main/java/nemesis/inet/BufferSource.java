package nemesis.inet;

import java.lang.foreign.MemorySegment;

/**
 * Where a pure protocol core gets buffers it fills for its caller (the reassembler's datagrams):
 * fixed-size areas named by an opaque {@code long} handle, so the source may be an Rbuf data
 * area, a pool of slices, or a test's counting fake. Ownership: a buffer belongs to whoever
 * acquired it until it is released; the core says in its documentation when it hands one over.
 */
public interface BufferSource {
    /** {@link #acquire()}: none free. */
    long NONE = -1;

    /** Bytes every buffer holds. */
    int bufferCapacity();

    /** A free buffer's handle, or {@link #NONE}. Must not allocate on the heap per call. */
    long acquire();

    /** The segment that holds {@code buffer}. */
    MemorySegment segment(long buffer);

    /** Where {@code buffer} starts in its segment; {@link #bufferCapacity()} bytes from there are its. */
    long offset(long buffer);

    /** Gives {@code buffer} back. */
    void release(long buffer);
}
