#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix

/// `cpu-map`: pins each event loop's thread (the Nth loop is thread N, as HAProxy numbers its
/// threads from 1) to the CPUs the configuration gives it.
enum ThreadAffinity {
    /// Pins the loops of `group` as `map` says; returns a problem per thread that could not be
    /// pinned (the thread then runs anywhere, as HAProxy's does when the system refuses).
    static func apply(_ map: [Int: Set<Int>], to group: EventLoopGroup) -> [String] {
        guard !map.isEmpty else { return [] }
        var problems: [String] = []
        var thread = 0
        for loop in group.makeIterator() {
            thread += 1
            guard let cpus = map[thread], !cpus.isEmpty else { continue }
            let number = thread
            let result = Result { try loop.submit { pinCurrentThread(to: cpus) }.wait() }
            switch result {
            case .success(nil): break
            case .success(let error?): problems.append("cannot bind thread \(number) to CPU set \(cpus.sorted()): \(error)")
            case .failure(let error): problems.append("cannot bind thread \(number) to CPU set \(cpus.sorted()): \(error)")
            }
        }
        return problems
    }

    /// Pins the calling thread; nil on success, else the reason.
    static func pinCurrentThread(to cpus: Set<Int>) -> String? {
        #if os(Linux)
        var set = cpu_set_t()
        let capacity = MemoryLayout<cpu_set_t>.size * 8
        withUnsafeMutableBytes(of: &set) { raw in
            for cpu in cpus where cpu < capacity {
                raw[cpu / 8] |= UInt8(1) << UInt8(cpu % 8)
            }
        }
        // Glibc declares sched_setaffinity only for _GNU_SOURCE, which Swift's Glibc module does
        // not define: the function is looked up instead.
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sched_setaffinity") else {
            return "the C library has no sched_setaffinity"
        }
        typealias SetAffinity = @convention(c) (pid_t, Int, UnsafeRawPointer) -> Int32
        let setAffinity = unsafeBitCast(symbol, to: SetAffinity.self)
        let status = withUnsafeBytes(of: &set) { setAffinity(0, MemoryLayout<cpu_set_t>.size, $0.baseAddress!) }
        return status == 0 ? nil : String(cString: strerror(errno))
        #else
        return "not supported on this system"
        #endif
    }
}
