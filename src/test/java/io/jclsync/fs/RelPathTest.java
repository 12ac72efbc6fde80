package io.jclsync.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RelPathTest {
    private static RelPath rel(byte... raw) {
        return RelPath.of(raw);
    }

    @Test
    void parentsFirstPutsEachDirectoryBeforeWhatIsBelowItInUnsignedByteOrder() {
        RelPath a = rel((byte) 'a');
        RelPath aDash = rel((byte) 'a', (byte) '-');
        RelPath aB = rel((byte) 'a', (byte) '/', (byte) 'b');
        RelPath aHigh = rel((byte) 'a', (byte) 0xff);
        List<RelPath> paths = new ArrayList<>(List.of(aHigh, aB, aDash, a));
        paths.sort(RelPath.PARENTS_FIRST);
        // 0xff is above '/' unsigned (a signed comparison would put it first).
        assertEquals(List.of(a, aDash, aB, aHigh), paths);
    }
}
