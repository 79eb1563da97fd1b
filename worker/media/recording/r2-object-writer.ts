// Writes one R2 object from pieces of any size without holding it whole: the pieces gather into fixed-size parts of
// a multipart upload (R2 wants every part but the last at least 5 MiB and all the same size); an object that never
// fills one part is a plain put. Used for the replay, whose length grows with the Space.
export const UPLOAD_PART_BYTES = 5 * 1024 * 1024;

export class R2ObjectWriter {
  private readonly buffer: Uint8Array;
  private filled = 0;
  private upload: R2MultipartUpload | null = null;
  private readonly uploaded: R2UploadedPart[] = [];
  /** Bytes written so far. */
  bytes = 0;

  private readonly bucket: R2Bucket;
  private readonly key: string;
  private readonly options: R2MultipartOptions;

  constructor(bucket: R2Bucket, key: string, options: R2MultipartOptions, partBytes = UPLOAD_PART_BYTES) {
    this.bucket = bucket;
    this.key = key;
    this.options = options;
    this.buffer = new Uint8Array(partBytes);
  }

  async write(pieces: Uint8Array[]): Promise<void> {
    for (const piece of pieces) {
      let at = 0;
      while (at < piece.length) {
        // A full part goes up only once more bytes follow it, so the last part is always sent by close().
        if (this.filled === this.buffer.length) await this.sendPart();
        const count = Math.min(piece.length - at, this.buffer.length - this.filled);
        this.buffer.set(piece.subarray(at, at + count), this.filled);
        this.filled += count;
        at += count;
      }
      this.bytes += piece.length;
    }
  }

  /** Stores the object: the last part and the upload's completion, or one put when it all fit in one part. */
  async close(): Promise<void> {
    const rest = this.buffer.slice(0, this.filled);
    if (!this.upload) {
      await this.bucket.put(this.key, rest, this.options);
      return;
    }
    this.uploaded.push(await this.upload.uploadPart(this.uploaded.length + 1, rest));
    await this.upload.complete(this.uploaded);
  }

  /** Gives up: an unfinished multipart upload is discarded (R2 would otherwise keep its parts for days). */
  async abort(): Promise<void> {
    await this.upload?.abort();
  }

  private async sendPart(): Promise<void> {
    this.upload ??= await this.bucket.createMultipartUpload(this.key, this.options);
    this.uploaded.push(await this.upload.uploadPart(this.uploaded.length + 1, this.buffer.slice()));
    this.filled = 0;
  }
}
