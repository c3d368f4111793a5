import CompressNIO
import NIOCore
import UsherConfig

/// Compresses one response body as it passes (`compression algo`), with zlib through CompressNIO,
/// and frames the result as chunks. Each piece of content is flushed at once (a sync flush), so
/// a streamed response reaches the client as it comes; the window and state zlib keeps are bounded
/// (about 400 KiB per compressing response, as HAProxy's defaults).
final class ResponseCompressor {
    let algorithm: HTTPCompression.Algorithm
    /// nil for `identity`: the content goes out as it is, in chunks.
    private let zlib: ZlibCompressor?

    init(_ algorithm: HTTPCompression.Algorithm) throws {
        self.algorithm = algorithm
        switch algorithm {
        case .identity: zlib = nil
        case .gzip: zlib = try ZlibCompressor(algorithm: .gzip)
        case .deflate: zlib = try ZlibCompressor(algorithm: .zlib)
        case .rawDeflate: zlib = try ZlibCompressor(algorithm: .deflate)
        }
    }

    /// `content` compressed and framed as a chunk; nothing when it produced no bytes.
    func chunk(_ content: ByteBuffer, allocator: ByteBufferAllocator) throws -> ByteBuffer? {
        var content = content
        var output = allocator.buffer(capacity: content.readableBytes + 64)
        try deflate(&content, into: &output, finish: false)
        return output.readableBytes > 0 ? Self.framed(output, allocator: allocator) : nil
    }

    /// The end of the body: the last compressed bytes (zlib's trailer) as a chunk, then the last chunk.
    func finish(allocator: ByteBufferAllocator) throws -> ByteBuffer {
        var output = allocator.buffer(capacity: 64)
        var empty = allocator.buffer(capacity: 0)
        try deflate(&empty, into: &output, finish: true)
        var result = output.readableBytes > 0 ? Self.framed(output, allocator: allocator) : allocator.buffer(capacity: 5)
        result.writeString("0\r\n\r\n")
        return result
    }

    private func deflate(_ input: inout ByteBuffer, into output: inout ByteBuffer, finish: Bool) throws {
        guard let zlib else {
            output.writeBuffer(&input)
            return
        }
        // zlib says when the room it was given was not enough; each round makes progress.
        for _ in 0..<10_000 {
            output.reserveCapacity(minimumWritableBytes: max(1024, input.readableBytes + 64))
            do {
                try zlib.deflate(from: &input, to: &output, flush: finish ? .finish : .sync)
                return
            } catch let error as CompressNIOError where error == .bufferOverflow {
                continue
            }
        }
        throw CompressNIOError.internalError
    }

    static func framed(_ data: ByteBuffer, allocator: ByteBufferAllocator) -> ByteBuffer {
        var data = data
        var chunk = allocator.buffer(capacity: data.readableBytes + 12)
        chunk.writeString(String(data.readableBytes, radix: 16))
        chunk.writeString("\r\n")
        chunk.writeBuffer(&data)
        chunk.writeString("\r\n")
        return chunk
    }
}
