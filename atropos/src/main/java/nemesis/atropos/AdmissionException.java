package nemesis.atropos;

/** A reservation that would take the admitted total over the cap. Nothing was changed. */
public final class AdmissionException extends Exception {
    private final long requestedPpb;
    private final long freePpb;
    private final long capPpb;

    public AdmissionException(String message, long requestedPpb, long freePpb, long capPpb) {
        super(message);
        this.requestedPpb = requestedPpb;
        this.freePpb = freePpb;
        this.capPpb = capPpb;
    }

    /** The share asked for, in parts per billion. */
    public long requestedPpb() {
        return requestedPpb;
    }

    /** The share still free under the cap when the request was made, in parts per billion. */
    public long freePpb() {
        return freePpb;
    }

    public long capPpb() {
        return capPpb;
    }
}
