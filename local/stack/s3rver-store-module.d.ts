// Minimal types for s3rver 3.7's filesystem store (the package ships none): what atomic-s3rver-store.ts uses.
declare module 's3rver/lib/stores/filesystem.js' {
  import type { Readable } from 'node:stream';

  /** An object as s3rver's controllers hand it to the store: content is the request (or a Buffer). */
  interface S3rverObject {
    readonly bucket: string;
    readonly key: string;
    readonly content: Readable | Buffer;
    readonly metadata: Record<string, string>;
  }

  class FilesystemStore {
    constructor(rootDirectory: string);
    readonly rootDirectory: string;
    getResourcePath(bucket: string, key: string | undefined, resource: string): string;
    putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5?: string): Promise<void>;
    putObject(object: S3rverObject): Promise<{ size: number; md5: string }>;
  }

  export = FilesystemStore;
}
