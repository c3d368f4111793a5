import Testing
@testable import UsherConfig

/// `cpu-map`, read as HAProxy 2.6 documents it: thread N of process 1 to CPU sets, `auto:` one CPU
/// per thread in order, processes above 1 ignored, sets of different sizes refused with `auto:`.
@Suite struct CPUMapTests {
    func map(_ lines: String...) -> (map: [Int: Set<Int>], alerts: [Diagnostic]) {
        let outcome = parse("global\n" + lines.map { "    cpu-map \($0)\n" }.joined())
        return (outcome.parsed.global.cpuMap, outcome.alerts)
    }

    @Test func forms() {
        #expect(map("1/1 0", "1/2 1").map == [1: [0], 2: [1]])
        #expect(map("auto:1/1-4 0-3").map == [1: [0], 2: [1], 3: [2], 4: [3]])
        #expect(map("auto:1/1-4 3 2 1 0").map == [1: [0], 2: [1], 3: [2], 4: [3]])
        #expect(map("1/all 0-1").map[64] == [0, 1])
        #expect(map("1 2-3").map[1] == [2, 3])
        #expect(map("1/odd 0").map.keys.sorted().prefix(3) == [1, 3, 5])
        // A later line replaces what it overlaps.
        #expect(map("1/all 0-1", "1/2 1").map[2] == [1])
        #expect(map("1/all 0-1", "1/2 1").map[1] == [0, 1])
        // Processes above 1 are not usher's.
        #expect(map("2/1 0").map.isEmpty)
        #expect(map("auto:1-2 0-1").map[7] == [0])
    }

    @Test func refusals() {
        for line in ["auto:1/1-4 0", "auto:1/1 0-3", "1/0 0", "1/1 64", "1/x 0", "1/3-2 0", "1"] {
            let result = map(line)
            #expect(result.alerts.first?.location?.line == 2, "\(line): \(result.alerts)")
        }
    }
}
