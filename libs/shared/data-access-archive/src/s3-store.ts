import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type * as S3Sdk from '@aws-sdk/client-s3';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import type { ArchiveStore } from './archive-store';

type S3Module = typeof S3Sdk;

export interface S3ArchiveStoreOptions {
  readonly bucket: string;
  /** Key prefix inside the bucket (`ARCHIVE_S3_PREFIX`), without leading or trailing `/`. */
  readonly prefix: string;
  /**
   * Client settings beyond the standard AWS environment (region, credentials and `AWS_ENDPOINT_URL_S3`
   * are read by the SDK itself); `forcePathStyle` for S3-compatible servers that need it.
   */
  readonly client?: S3ClientConfig;
}

/**
 * The archive in an S3-compatible bucket. A PUT replaces an object atomically, so files and manifests are
 * written whole; the SDK is loaded on first use, so a gateway without an S3 archive never loads it.
 */
export class S3ArchiveStore implements ArchiveStore {
  readonly root: string;
  readonly scratchDirectory = path.join(tmpdir(), 'sms-gateway-archive');
  private loaded: Promise<{ readonly sdk: S3Module; readonly client: S3Client }> | null = null;

  constructor(private readonly options: S3ArchiveStoreOptions) {
    this.root = `s3://${options.bucket}/${options.prefix}`.replace(/\/$/, '');
  }

  locationOf(key: string): string {
    return `s3://${this.options.bucket}/${this.objectKey(key)}`;
  }

  async putFile(key: string, localPath: string): Promise<void> {
    const { sdk, client } = await this.s3();
    const { size } = await stat(localPath);
    await client.send(
      new sdk.PutObjectCommand({
        Bucket: this.options.bucket,
        Key: this.objectKey(key),
        Body: createReadStream(localPath),
        ContentLength: size,
        ContentType: 'application/gzip',
      }),
    );
  }

  async putText(key: string, text: string): Promise<void> {
    const { sdk, client } = await this.s3();
    await client.send(
      new sdk.PutObjectCommand({
        Bucket: this.options.bucket,
        Key: this.objectKey(key),
        Body: text,
        ContentType: 'application/json',
      }),
    );
  }

  async getText(key: string): Promise<string | null> {
    const { sdk, client } = await this.s3();
    try {
      const answer = await client.send(
        new sdk.GetObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) }),
      );

      return (await answer.Body?.transformToString('utf8')) ?? '';
    } catch (error) {
      if (error instanceof sdk.NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') {
        return null;
      }
      throw error;
    }
  }

  async openRead(key: string): Promise<Readable> {
    const { sdk, client } = await this.s3();
    const answer = await client.send(
      new sdk.GetObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) }),
    );

    return answer.Body as Readable;
  }

  async readRange(key: string, offset: number, length: number): Promise<Buffer> {
    const { sdk, client } = await this.s3();
    const answer = await client.send(
      new sdk.GetObjectCommand({
        Bucket: this.options.bucket,
        Key: this.objectKey(key),
        Range: `bytes=${offset}-${offset + length - 1}`,
      }),
    );

    return Buffer.from((await answer.Body?.transformToByteArray()) ?? []);
  }

  async list(prefix: string): Promise<string[]> {
    const { sdk, client } = await this.s3();
    const base = this.objectKey('');
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new sdk.ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: base + prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key) {
          keys.push(object.Key.slice(base.length));
        }
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);

    return keys;
  }

  async close(): Promise<void> {
    if (this.loaded) {
      (await this.loaded).client.destroy();
      this.loaded = null;
    }
  }

  private objectKey(key: string): string {
    return this.options.prefix === '' ? key : `${this.options.prefix}/${key}`;
  }

  private s3(): Promise<{ readonly sdk: S3Module; readonly client: S3Client }> {
    this.loaded ??= import('@aws-sdk/client-s3').then((sdk) => ({
      sdk,
      client: new sdk.S3Client({
        // Checksums only where S3 requires them: S3-compatible servers do not all take the SDK's trailers.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        ...this.options.client,
      }),
    }));

    return this.loaded;
  }
}
