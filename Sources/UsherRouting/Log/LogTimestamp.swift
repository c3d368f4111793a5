/// A wall-clock instant broken into the fields log lines print. The proxy fills it from the system
/// clock (local time, as HAProxy logs); formatting stays pure.
public struct LogTimestamp: Sendable, Equatable {
    public var year: Int
    /// 1…12
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int
    public var millisecond: Int
    public var microsecond: Int
    /// Offset from UTC in seconds (for RFC 5424).
    public var utcOffset: Int

    public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millisecond: Int = 0, microsecond: Int = 0, utcOffset: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.millisecond = millisecond
        self.microsecond = microsecond
        self.utcOffset = utcOffset
    }

    static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    var monthName: String { Self.monthNames[max(0, min(11, month - 1))] }

    /// `27/Nov/2026:01:02:03.456`, HAProxy's `%t` / accept date.
    public var acceptDateText: String {
        "\(pad(day))/\(monthName)/\(year):\(pad(hour)):\(pad(minute)):\(pad(second)).\(pad(millisecond, 3))"
    }

    /// `Nov 27 01:02:03` (day padded with a space), the RFC 3164 header date.
    public var rfc3164Text: String {
        let dayText = day < 10 ? " \(day)" : "\(day)"
        return "\(monthName) \(dayText) \(pad(hour)):\(pad(minute)):\(pad(second))"
    }

    /// `2026-11-27T01:02:03.456789+00:00`, the RFC 5424 header date.
    public var rfc5424Text: String {
        let sign = utcOffset < 0 ? "-" : "+"
        let offset = abs(utcOffset)
        return "\(year)-\(pad(month))-\(pad(day))T\(pad(hour)):\(pad(minute)):\(pad(second)).\(pad(microsecond, 6))\(sign)\(pad(offset / 3600)):\(pad(offset / 60 % 60))"
    }

    func pad(_ value: Int, _ width: Int = 2) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
