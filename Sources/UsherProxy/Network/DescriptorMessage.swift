#if canImport(Glibc)
import Glibc
#endif

/// Receiving file descriptors over a UNIX socket (`SCM_RIGHTS`): the listening sockets a previous
/// process hands over (`-x`), the connections another process passes (`sockpair@`).
enum DescriptorMessage {
    /// One message from `socket`: how many data bytes came (0: the peer closed; negative: an
    /// error, in `errno`), and every descriptor it carried (close-on-exec), in order.
    static func receive(from socket: Int32, dataCapacity: Int, maxDescriptors: Int) -> (bytes: Int, descriptors: [Int32]) {
        var data = [UInt8](repeating: 0, count: max(1, dataCapacity))
        var control = [UInt8](repeating: 0, count: MemoryLayout<cmsghdr>.size + maxDescriptors * MemoryLayout<Int32>.size + 16)
        let received = data.withUnsafeMutableBytes { dataBytes -> Int in
            control.withUnsafeMutableBytes { controlBytes -> Int in
                var vector = iovec(iov_base: dataBytes.baseAddress, iov_len: dataBytes.count)
                return withUnsafeMutablePointer(to: &vector) { vectorPointer in
                    var message = msghdr()
                    message.msg_iov = vectorPointer
                    message.msg_iovlen = 1
                    message.msg_control = controlBytes.baseAddress
                    message.msg_controllen = controlBytes.count
                    return recvmsg(socket, &message, Int32(MSG_CMSG_CLOEXEC))
                }
            }
        }
        guard received > 0 else { return (received, []) }
        var descriptors: [Int32] = []
        control.withUnsafeBytes { bytes in
            let header = MemoryLayout<cmsghdr>.size
            var offset = 0
            while offset + header <= bytes.count {
                let message = bytes.loadUnaligned(fromByteOffset: offset, as: cmsghdr.self)
                guard message.cmsg_len >= header, offset + Int(message.cmsg_len) <= bytes.count else { break }
                if message.cmsg_level == SOL_SOCKET, message.cmsg_type == Int32(SCM_RIGHTS) {
                    for index in 0..<(Int(message.cmsg_len) - header) / MemoryLayout<Int32>.size {
                        descriptors.append(bytes.loadUnaligned(fromByteOffset: offset + header + index * 4, as: Int32.self))
                    }
                }
                offset += (Int(message.cmsg_len) + 7) & ~7
            }
        }
        return (received, descriptors)
    }
}
