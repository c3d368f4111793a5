/// `cpu-map [auto:]PROCESS[/THREADS] CPUSET…`: which CPUs threads may run on. usher runs one
/// process, so a process set must include 1 (others are ignored, as HAProxy ignores processes
/// above 1); without a thread set every thread is meant.
enum CPUMapParser {
    /// The highest thread and CPU numbers a set may name (HAProxy's word size).
    static let limit = 64

    static func parse(_ words: ArraySlice<String>) throws -> [Int: Set<Int>] {
        guard let first = words.first, words.count >= 2 else {
            throw ConfigurationError("'cpu-map' expects a thread set (such as 1/all or auto:1/1-4) and the CPUs (such as 0-3)")
        }
        var spec = Substring(first)
        let isAuto = spec.hasPrefix("auto:")
        if isAuto { spec = spec.dropFirst(5) }
        let parts = spec.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let processes = try set(parts[0], maximum: limit, what: "process")
        var cpus: [Int] = []
        for word in words.dropFirst() {
            cpus += try set(Substring(word), maximum: limit - 1, minimum: 0, what: "CPU")
        }
        cpus = Array(Set(cpus)).sorted()
        guard processes.contains(1) else { return [:] }
        guard parts.count == 2 else {
            // A process set alone: every thread of process 1. With `auto:`, process N goes to the
            // Nth CPU: process 1 to the first.
            if isAuto {
                guard processes.count == cpus.count else {
                    throw ConfigurationError("'cpu-map auto:': the process set and the CPU set must have the same size (\(processes.count) and \(cpus.count))")
                }
                let index = processes.sorted().firstIndex(of: 1)!
                return Dictionary(uniqueKeysWithValues: (1...limit).map { ($0, Set([cpus[index]])) })
            }
            return Dictionary(uniqueKeysWithValues: (1...limit).map { ($0, Set(cpus)) })
        }
        if isAuto && processes.count > 1 {
            throw ConfigurationError("'cpu-map auto:' takes a range of processes or of threads, not both")
        }
        let threads = try set(parts[1], maximum: limit, what: "thread").sorted()
        if isAuto {
            guard threads.count == cpus.count else {
                throw ConfigurationError("'cpu-map auto:': the thread set and the CPU set must have the same size (\(threads.count) and \(cpus.count))")
            }
            return Dictionary(uniqueKeysWithValues: zip(threads, cpus).map { ($0, Set([$1])) })
        }
        return Dictionary(uniqueKeysWithValues: threads.map { ($0, Set(cpus)) })
    }

    /// `all`, `odd`, `even`, `N`, `N-`, `N-M`.
    static func set(_ text: Substring, maximum: Int, minimum: Int = 1, what: String) throws -> [Int] {
        switch text {
        case "all": return Array(minimum...maximum)
        case "odd": return Array(stride(from: minimum % 2 == 1 ? minimum : minimum + 1, through: maximum, by: 2))
        case "even": return Array(stride(from: minimum % 2 == 0 ? minimum : minimum + 1, through: maximum, by: 2))
        default: break
        }
        let bounds = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard let low = Int(bounds[0]), low >= minimum, low <= maximum else {
            throw ConfigurationError("'cpu-map': invalid \(what) set '\(text)' (expected all, odd, even, a number from \(minimum) to \(maximum) or a range)")
        }
        guard bounds.count == 2 else { return [low] }
        let high = bounds[1].isEmpty ? maximum : Int(bounds[1]) ?? -1
        guard high >= low, high <= maximum else {
            throw ConfigurationError("'cpu-map': invalid \(what) range '\(text)'")
        }
        return Array(low...high)
    }
}
