package nemesis.inet.tcp;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/** Send and receive streams over byte arrays, for tests. */
final class Streams {
    private Streams() {
    }

    /** Keeps every byte written (tests read the payload back from it). */
    static final class Send implements SendStream {
        byte[] data = new byte[1024];
        int end;
        long acked;
        boolean fin;
        int ackCalls;

        Send write(byte[] b) {
            return write(b, 0, b.length);
        }

        Send write(byte[] b, int off, int len) {
            if (end + len > data.length) {
                data = Arrays.copyOf(data, Math.max(data.length * 2, end + len));
            }
            System.arraycopy(b, off, data, end, len);
            end += len;
            return this;
        }

        Send write(int n, int seed) {
            byte[] b = new byte[n];
            for (int i = 0; i < n; i++) {
                b[i] = (byte) (seed + (end + i) * 31 + ((end + i) >>> 8));
            }
            return write(b);
        }

        @Override
        public long end() {
            return end;
        }

        @Override
        public void acknowledged(long upTo) {
            if (upTo <= acked) {
                throw new AssertionError("acknowledged went back: " + upTo + " after " + acked);
            }
            if (upTo > end) {
                throw new AssertionError("acknowledged " + upTo + " beyond end " + end);
            }
            acked = upTo;
            ackCalls++;
        }

        @Override
        public boolean finQueued() {
            return fin;
        }

        byte[] slice(long from, int len) {
            if (from < acked) {
                throw new AssertionError("payload from " + from + " already released (acked " + acked + ")");
            }
            if (from + len > end) {
                throw new AssertionError("payload to " + (from + len) + " beyond end " + end);
            }
            return Arrays.copyOfRange(data, (int) from, (int) from + len);
        }
    }

    /** Collects the bytes delivered; the application takes them at once unless {@link #capacity} is reached. */
    static final class Receive implements ReceiveStream {
        final ByteArrayOutputStream got = new ByteArrayOutputStream();
        /** Bytes the application holds unread (a slow reader sets {@link #autoRead} false). */
        int unread;
        int capacity;
        boolean autoRead = true;
        boolean fin;
        int finCalls;
        int deliverCalls;

        Receive(int capacity) {
            this.capacity = capacity;
        }

        @Override
        public void deliver(MemorySegment seg, long offset, int len) {
            if (len <= 0) {
                throw new AssertionError("deliver of " + len);
            }
            if (fin) {
                throw new AssertionError("data after FIN");
            }
            if (len > space()) {
                throw new AssertionError("delivered " + len + " with space " + space());
            }
            got.writeBytes(seg.asSlice(offset, len).toArray(ValueLayout.JAVA_BYTE));
            deliverCalls++;
            if (!autoRead) {
                unread += len;
            }
        }

        @Override
        public void finReceived() {
            if (fin) {
                throw new AssertionError("FIN twice");
            }
            fin = true;
            finCalls++;
        }

        @Override
        public int space() {
            return capacity - unread;
        }

        /** The application reads {@code n} bytes. */
        void read(int n) {
            unread -= Math.min(n, unread);
        }

        byte[] bytes() {
            return got.toByteArray();
        }

        int size() {
            return got.size();
        }
    }
}
