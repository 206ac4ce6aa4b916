package nemesis.drivers.tap;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few Linux system calls the TAP device and network namespaces need, through the FFM API (no
 * JNI, no native build). Each call captures {@code errno}; a failure throws {@link LinuxError} with
 * the call, its argument and {@code strerror}. Linux only; {@link #available()} says whether this
 * platform has them.
 */
public final class Libc {
    public static final int O_RDWR = 2;
    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 0x80000;
    public static final int CLONE_NEWNET = 0x40000000;
    /** {@code _IOW('T', 202, int)}. */
    public static final long TUNSETIFF = 0x400454caL;
    public static final short IFF_TAP = 0x0002;
    public static final short IFF_NO_PI = 0x1000;
    public static final short POLLIN = 0x0001;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    /** {@code struct ifreq}: 16 bytes of name, then a union of which we use the short flags. */
    public static final int IFREQ_SIZE = 40;
    public static final int IFNAMSIZ = 16;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN;
    private static final MethodHandle CLOSE;
    private static final MethodHandle READ;
    private static final MethodHandle WRITE;
    private static final MethodHandle IOCTL;
    private static final MethodHandle POLL;
    private static final MethodHandle SETNS;
    private static final MethodHandle STRERROR;
    private static final boolean AVAILABLE;

    static {
        SymbolLookup libc = LINKER.defaultLookup();
        boolean ok = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux");
        MethodHandle open = null, close = null, read = null, write = null, ioctl = null, poll = null, setns = null,
                strerror = null;
        if (ok) {
            ValueLayout.OfInt i = ValueLayout.JAVA_INT;
            ValueLayout.OfLong l = ValueLayout.JAVA_LONG;
            java.lang.foreign.AddressLayout p = ValueLayout.ADDRESS;
            open = LINKER.downcallHandle(libc.find("open").orElseThrow(), FunctionDescriptor.of(i, p, i), CAPTURE);
            close = LINKER.downcallHandle(libc.find("close").orElseThrow(), FunctionDescriptor.of(i, i), CAPTURE);
            read = LINKER.downcallHandle(libc.find("read").orElseThrow(), FunctionDescriptor.of(l, i, p, l), CAPTURE);
            write = LINKER.downcallHandle(libc.find("write").orElseThrow(), FunctionDescriptor.of(l, i, p, l), CAPTURE);
            ioctl = LINKER.downcallHandle(libc.find("ioctl").orElseThrow(), FunctionDescriptor.of(i, i, l, p),
                    CAPTURE, Linker.Option.firstVariadicArg(2));
            poll = LINKER.downcallHandle(libc.find("poll").orElseThrow(), FunctionDescriptor.of(i, p, l, i), CAPTURE);
            setns = LINKER.downcallHandle(libc.find("setns").orElseThrow(), FunctionDescriptor.of(i, i, i), CAPTURE);
            strerror = LINKER.downcallHandle(libc.find("strerror").orElseThrow(), FunctionDescriptor.of(p, i));
        }
        OPEN = open;
        CLOSE = close;
        READ = read;
        WRITE = write;
        IOCTL = ioctl;
        POLL = poll;
        SETNS = setns;
        STRERROR = strerror;
        AVAILABLE = ok;
    }

    private Libc() {
    }

    /** A failed system call: which, on what, and errno. */
    public static final class LinuxError extends java.io.IOException {
        private final int errno;

        LinuxError(String call, String what, int errno) {
            super(call + "(" + what + "): " + strerror(errno) + " (errno " + errno + ")");
            this.errno = errno;
        }

        public int errno() {
            return errno;
        }
    }

    /** Whether this is Linux and the calls are linked. */
    public static boolean available() {
        return AVAILABLE;
    }

    /**
     * A buffer for the captured call state, one per thread that makes calls: allocate it once
     * (e.g. per reader thread) so the calls allocate nothing.
     */
    public static MemorySegment callState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    public static int open(String path, int flags) throws LinuxError {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = callState(a);
            int fd = (int) OPEN.invokeExact(st, a.allocateFrom(path), flags);
            if (fd < 0) {
                throw new LinuxError("open", path, errno(st));
            }
            return fd;
        } catch (LinuxError e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public static void close(int fd) {
        try (Arena a = Arena.ofConfined()) {
            int r = (int) CLOSE.invokeExact(callState(a), fd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * {@code read(fd, buf, len)}: bytes read, or -1 for EAGAIN/EINTR (try again); other errors throw.
     * {@code state} from {@link #callState}.
     */
    public static long read(int fd, MemorySegment buf, long len, MemorySegment state) throws LinuxError {
        long n;
        try {
            n = (long) READ.invokeExact(state, fd, buf, len);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (n < 0) {
            int e = errno(state);
            if (e == EAGAIN || e == EINTR) {
                return -1;
            }
            throw new LinuxError("read", "fd " + fd, e);
        }
        return n;
    }

    /** {@code write(fd, buf, len)}: bytes written, or -1 for EAGAIN/EINTR; other errors throw. */
    public static long write(int fd, MemorySegment buf, long len, MemorySegment state) throws LinuxError {
        long n;
        try {
            n = (long) WRITE.invokeExact(state, fd, buf, len);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (n < 0) {
            int e = errno(state);
            if (e == EAGAIN || e == EINTR) {
                return -1;
            }
            throw new LinuxError("write", "fd " + fd, e);
        }
        return n;
    }

    /** {@code ioctl(fd, request, arg)}. */
    public static void ioctl(int fd, long request, MemorySegment arg) throws LinuxError {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = callState(a);
            int r = (int) IOCTL.invokeExact(st, fd, request, arg);
            if (r < 0) {
                throw new LinuxError("ioctl", "fd " + fd + ", 0x" + Long.toHexString(request), errno(st));
            }
        } catch (LinuxError e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Waits up to {@code timeoutMs} for {@code fd} to be readable: true if it is. {@code pollfd} is
     * an 8-byte buffer of the caller's (so that nothing is allocated per call).
     */
    public static boolean pollIn(int fd, int timeoutMs, MemorySegment pollfd, MemorySegment state) throws LinuxError {
        pollfd.set(ValueLayout.JAVA_INT, 0, fd);
        pollfd.set(ValueLayout.JAVA_SHORT, 4, POLLIN);
        pollfd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
        int r;
        try {
            r = (int) POLL.invokeExact(state, pollfd, 1L, timeoutMs);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
        if (r < 0) {
            int e = errno(state);
            if (e == EINTR) {
                return false;
            }
            throw new LinuxError("poll", "fd " + fd, e);
        }
        return r > 0 && (pollfd.get(ValueLayout.JAVA_SHORT, 6) & POLLIN) != 0;
    }

    /** {@code setns(fd, nstype)}: moves the calling thread into the namespace {@code fd} refers to. */
    public static void setns(int fd, int nstype) throws LinuxError {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment st = callState(a);
            int r = (int) SETNS.invokeExact(st, fd, nstype);
            if (r < 0) {
                throw new LinuxError("setns", "fd " + fd, errno(st));
            }
        } catch (LinuxError e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public static String strerror(int errno) {
        if (STRERROR == null) {
            return "errno " + errno;
        }
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }
}
