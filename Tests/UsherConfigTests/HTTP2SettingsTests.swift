import Testing
@testable import UsherConfig

@Suite("tune.h2.* and bind proto h2")
struct HTTP2SettingsTests {
    @Test func defaultsAreHAProxys() throws {
        let outcome = parse(httpDefaults + "frontend fe\n    bind :80\n")
        let tuning = try #require(outcome.configuration).global.http2
        #expect(tuning == HTTP2Tuning())
        #expect(tuning.maxConcurrentStreams == 100 && tuning.initialWindowSize == 65535 && tuning.headerTableSize == 4096 && tuning.maxFrameSize == nil)
    }

    @Test func tuneH2KeywordsAreRead() throws {
        let outcome = parse("""
            global
                tune.h2.header-table-size 1024
                tune.h2.initial-window-size 1048576
                tune.h2.max-concurrent-streams 0
                tune.h2.max-frame-size 32768
            """ + "\n" + httpDefaults + "frontend fe\n    bind :80\n")
        #expect(outcome.alerts.isEmpty, "\(outcome.alerts)")
        let tuning = try #require(outcome.configuration).global.http2
        #expect(tuning.headerTableSize == 1024)
        #expect(tuning.initialWindowSize == 1_048_576)
        #expect(tuning.maxConcurrentStreams == 0)
        #expect(tuning.maxFrameSize == 32768)
    }

    @Test(arguments: [
        ("tune.h2.header-table-size 65537", "from 0 to 65536"),
        ("tune.h2.initial-window-size -1", "integer"),
        ("tune.h2.max-frame-size 1000", "from 16384 to 16777215"),
        ("tune.h2.max-concurrent-streams many", "integer"),
    ])
    func outOfRangeValuesAreErrorsWithTheirLine(_ line: String, _ needle: String) throws {
        let outcome = parse("global\n    \(line)\n" + httpDefaults + "frontend fe\n    bind :80\n")
        try outcome.expectSingleAlert(line: 2, [needle])
    }

    @Test func bindProtoH2() throws {
        let outcome = parse(httpDefaults + "frontend fe\n    bind :80 proto h2\n    bind :81\n")
        let binds = try outcome.proxy("fe").binds
        #expect(binds.map(\.proto) == ["h2", nil])
        let bad = parse(httpDefaults + "frontend fe\n    bind :80 proto h3\n")
        try bad.expectSingleAlert(line: 7, ["'proto' expects 'h2'", "h3"])
    }
}
