/** Presigns object keys of the data lake for a short-lived GET (S3: `@aws-sdk/s3-request-presigner`). */
export interface UrlSigner {
  presignGet(key: string, expiresInSeconds: number): Promise<string>;
}
