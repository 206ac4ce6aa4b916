/**
 * Rbufs: how bulk data moves between domains (R. Black, "Explicit network scheduling", 1994;
 * {@code sys/interfaces/io/IO.if} and {@code h/IOMacros.h} in the Nemesis release; digest §3).
 *
 * <p>An {@link nemesis.rbufs.RbufArea} is memory owned by one domain, at a unique address of the
 * emulated single address space; other domains reach it only through an {@link nemesis.rbufs.AreaView}
 * whose rights the owner granted. An {@link nemesis.rbufs.IoChannel} carries packets — vectors of
 * {@linkplain nemesis.rbufs.IoRecs iorecs} (address, length) into such areas — through two FIFOs of
 * slots, one per direction, with event counts for "slots produced" and "slots acknowledged".
 * Blocking operations block the calling thread through the kernel.
 */
package nemesis.rbufs;
