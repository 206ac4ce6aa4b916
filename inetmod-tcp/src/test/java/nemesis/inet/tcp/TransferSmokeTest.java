package nemesis.inet.tcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** A quick end-to-end check: handshake, transfer both ways, close, with both configurations. */
class TransferSmokeTest {
    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void handshakeTransferAndCloseBothWays() {
        for (TcpConfig cfg : new TcpConfig[] {TcpConfig.modern(), TcpConfig.bsd44()}) {
            Net n = new Net(cfg, Net.Faults.NONE, 1);
            byte[] ab = random(300_000, 1);
            byte[] ba = random(100_000, 2);
            long t = n.transfer(ab, ba, 60 * Net.S);
            assertTrue(t > 0, () -> "not done: " + n.a.conn + " / " + n.b.conn);
            assertArrayEquals(ab, n.b.rcv.bytes());
            assertArrayEquals(ba, n.a.rcv.bytes());
            n.drain(600 * Net.S);
            assertEquals(TcpState.CLOSED, n.a.conn.state(), n.a.log::toString);
            assertEquals(TcpState.CLOSED, n.b.conn.state(), n.b.log::toString);
        }
    }
}
