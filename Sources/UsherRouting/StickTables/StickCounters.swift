import UsherConfig

/// A connection's stick counters (sc0, sc1, sc2): the table entries its rules track, and the
/// events counted on them. Those tracked by `tcp-request connection|session` rules belong to the
/// session and last as long as the connection; those tracked by `tcp-request content`,
/// `http-request` and `http-response` rules belong to the request (the stream) and end with it.
///
/// Owned by one session, on one thread; the tables it points into do their own locking.
public final class StickCounters {
    /// Where a rule's tracking lives.
    public enum Level: Sendable {
        case session
        case stream
    }

    public struct Tracked {
        public let table: StickTable
        public let key: StickKey
        let handle: StickTable.Handle
    }

    private var session: [Tracked?]
    private var stream: [Tracked?]

    public init() {
        session = Array(repeating: nil, count: StickTableParser.counterCount)
        stream = Array(repeating: nil, count: StickTableParser.counterCount)
    }

    /// Stick counter `counter` as fetches see it: the request's, else the session's.
    public func tracked(_ counter: Int) -> Tracked? {
        guard counter >= 0 && counter < session.count else { return nil }
        return stream[counter] ?? session[counter]
    }

    /// `track-scN`: unless counter N of that level already tracks something, tracks the entry for
    /// `key` (created if missing) and counts a connection on it (`conn_cnt`, `conn_rate`,
    /// `conn_cur`). An `http-request`/`http-response` tracking also counts the request under way.
    public func track(_ counter: Int, level: Level, table: StickTable, key: StickKey, countsRequest: Bool) {
        switch level {
        case .session: guard session[counter] == nil else { return }
        case .stream: guard stream[counter] == nil else { return }
        }
        guard let handle = table.acquire(key) else { return }
        let tracked = Tracked(table: table, key: key, handle: handle)
        switch level {
        case .session: session[counter] = tracked
        case .stream: stream[counter] = tracked
        }
        table.update(handle) { data in
            data.add(.connectionsCurrent)
            data.add(.connectionCount)
            data.add(.connectionRate)
            if countsRequest {
                data.add(.httpRequestCount)
                data.add(.httpRequestRate)
            }
        }
    }

    /// A connection the `tcp-request connection` rules accepted became a session (`sess_cnt`, `sess_rate`).
    public func countSession() {
        forEachTracked { data in
            data.add(.sessionCount)
            data.add(.sessionRate)
        }
    }

    /// A request arrived (`http_req_cnt`, `http_req_rate`); `isError` for one that could not be
    /// read (it also counts as an HTTP error).
    public func countHTTPRequest(isError: Bool = false) {
        forEachTracked { data in
            data.add(.httpRequestCount)
            data.add(.httpRequestRate)
            if isError {
                data.add(.httpErrorCount)
                data.add(.httpErrorRate)
            }
        }
    }

    /// A request the client got wrong: denied, tarpitted, failed authentication, or answered 4xx
    /// by the server (`http_err_cnt`, `http_err_rate`).
    public func countHTTPError() {
        forEachTracked { data in
            data.add(.httpErrorCount)
            data.add(.httpErrorRate)
        }
    }

    /// A server's failure: a 5xx response other than 501 and 505, or no valid response
    /// (`http_fail_cnt`, `http_fail_rate`).
    public func countHTTPFailure() {
        forEachTracked { data in
            data.add(.httpFailCount)
            data.add(.httpFailRate)
        }
    }

    /// The server's answer's status: a 4xx counts as an HTTP error, a 5xx but 501 and 505 as a failure.
    public func countResponse(status: Int) {
        if status >= 400 && status < 500 {
            countHTTPError()
        } else if status >= 500 && status < 600 && status != 501 && status != 505 {
            countHTTPFailure()
        }
    }

    /// Bytes from the client (`bytes_in_*`) and to it (`bytes_out_*`).
    public func countBytes(in received: UInt64, out sent: UInt64) {
        guard received > 0 || sent > 0 else { return }
        forEachTracked { data in
            data.add(.bytesInCount, received)
            data.add(.bytesInRate, received)
            data.add(.bytesOutCount, sent)
            data.add(.bytesOutRate, sent)
        }
    }

    /// The request is over: its own trackings end (`conn_cur` goes down).
    public func endStream() {
        for index in stream.indices {
            if let tracked = stream[index] { end(tracked) }
            stream[index] = nil
        }
    }

    /// The connection is over: every tracking ends.
    public func endSession() {
        endStream()
        for index in session.indices {
            if let tracked = session[index] { end(tracked) }
            session[index] = nil
        }
    }

    deinit {
        endSession()
    }

    private func end(_ tracked: Tracked) {
        tracked.table.update(tracked.handle, refresh: false) { $0.decrementCurrentConnections() }
        tracked.table.release(tracked.handle)
    }

    /// Every tracked entry, the request's and the session's (an entry tracked by both is counted
    /// twice, as in HAProxy).
    private func forEachTracked(_ body: (inout StickTable.EntryData) -> Void) {
        // Two loops rather than `stream + session`: no array made per counted event.
        for tracked in stream { if let tracked { tracked.table.update(tracked.handle, body) } }
        for tracked in session { if let tracked { tracked.table.update(tracked.handle, body) } }
    }
}

extension StickCounters.Tracked {
    /// Reads or changes the tracked entry; `refresh` for a change (it pushes the expiry back).
    public func update<T>(refresh: Bool = true, _ body: (inout StickTable.EntryData) -> T) -> T {
        table.update(handle, refresh: refresh, body)
    }
}
