package nemesis.rbufs;

/** What a domain may do with an Rbuf area. */
public enum Rights {
    NONE, READ, READ_WRITE;

    public boolean canRead() {
        return this != NONE;
    }

    public boolean canWrite() {
        return this == READ_WRITE;
    }
}
