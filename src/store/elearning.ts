/** @module E-learning courses (issue 6 §1): SCORM packages, their files, the course declaration. */
import crypto from 'node:crypto';
import type { Cmi5Summary } from '../domain/cmi5-course.ts';
import type { CourseDeclaration, ManifestSummary } from '../domain/elearning-compliance.ts';
import type { Queryable, Db } from './db.ts';

/** SCORM 1.2, 2004, or a cmi5 course structure (issue 16). */
export type PackageVersion = '1.2' | '2004' | 'cmi5';

export interface StoredPackage {
  id: string;
  eventId: string;
  version: PackageVersion;
  manifest: ManifestSummary | Cmi5Summary;
  sha256: string;
  size: number;
  uncompressedSize: number;
  fileCount: number;
  uploadedAt: string;
  uploadedBy: string;
}

export interface NewPackageFile {
  path: string;
  content: Buffer;
  contentType: string;
}

interface PackageRow {
  id: string;
  event_id: string;
  version: PackageVersion;
  manifest: unknown;
  sha256: string;
  size: number;
  uncompressed_size: number;
  file_count: number;
  uploaded_at: Date | string;
  uploaded_by: string;
}

const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));
const iso = (v: Date | string) => new Date(v).toISOString();

function toPackage(r: PackageRow): StoredPackage {
  return {
    id: r.id,
    eventId: r.event_id,
    version: r.version,
    manifest: json<ManifestSummary | Cmi5Summary>(r.manifest),
    sha256: r.sha256,
    size: Number(r.size),
    uncompressedSize: Number(r.uncompressed_size),
    fileCount: r.file_count,
    uploadedAt: iso(r.uploaded_at),
    uploadedBy: r.uploaded_by,
  };
}

/** Rows per INSERT of files: bounded parameter count whatever the package. */
const FILE_BATCH = 100;

/**
 * Stores a package and its files, superseding the event's current one (kept as history), in one
 * transaction: the event has at most one current package at any time.
 */
export async function insertPackage(
  db: Db,
  p: {
    eventId: string;
    manifest: ManifestSummary | Cmi5Summary;
    sha256: string;
    size: number;
    uncompressedSize: number;
    uploadedAt: string;
    uploadedBy: string;
  },
  files: readonly NewPackageFile[],
): Promise<StoredPackage> {
  const id = crypto.randomUUID();
  return db.transaction(async (tx) => {
    // Serialise uploads for the same event on the event row.
    await tx.query('SELECT id FROM events WHERE id = $1 FOR UPDATE', [p.eventId]);
    await tx.query('UPDATE scorm_packages SET superseded_at = $2 WHERE event_id = $1 AND superseded_at IS NULL', [p.eventId, p.uploadedAt]);
    const { rows } = await tx.query<PackageRow>(
      `INSERT INTO scorm_packages (id, event_id, version, manifest, sha256, size, uncompressed_size, file_count, uploaded_at, uploaded_by)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8, $9, $10) RETURNING *`,
      [id, p.eventId, p.manifest.version, JSON.stringify(p.manifest), p.sha256, p.size, p.uncompressedSize, files.length, p.uploadedAt, p.uploadedBy],
    );
    for (let i = 0; i < files.length; i += FILE_BATCH) {
      const batch = files.slice(i, i + FILE_BATCH);
      const params: unknown[] = [id];
      const values = batch.map((f, n) => {
        params.push(f.path, f.content, f.contentType);
        return `($1, $${n * 3 + 2}, $${n * 3 + 3}::bytea, $${n * 3 + 4})`;
      });
      await tx.query(`INSERT INTO scorm_files (package_id, path, content, content_type) VALUES ${values.join(', ')}`, params);
    }
    return toPackage(rows[0]!);
  });
}

/** The event's current package, or null. */
export async function currentPackage(db: Queryable, eventId: string): Promise<StoredPackage | null> {
  const { rows } = await db.query<PackageRow>('SELECT * FROM scorm_packages WHERE event_id = $1 AND superseded_at IS NULL', [eventId]);
  return rows[0] ? toPackage(rows[0]) : null;
}

/** How many packages the event has had (the current one included). */
export async function packageCount(db: Queryable, eventId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM scorm_packages WHERE event_id = $1', [eventId]);
  return rows[0]?.n ?? 0;
}

/** One file of a package (for the player, issue 6 §2). */
export async function packageFile(db: Queryable, packageId: string, path: string): Promise<{ content: Buffer; contentType: string } | null> {
  const { rows } = await db.query<{ content: Buffer; content_type: string }>(
    'SELECT content, content_type FROM scorm_files WHERE package_id = $1 AND path = $2',
    [packageId, path],
  );
  return rows[0] ? { content: rows[0].content, contentType: rows[0].content_type } : null;
}

export interface StoredDeclaration {
  declaration: CourseDeclaration;
  declaredAt: string;
  declaredBy: string;
}

export async function upsertDeclaration(db: Queryable, eventId: string, d: CourseDeclaration, at: string, by: string): Promise<StoredDeclaration> {
  await db.query(
    `INSERT INTO elearning_courses (event_id, declaration, declared_at, declared_by) VALUES ($1, $2::jsonb, $3, $4)
     ON CONFLICT (event_id) DO UPDATE SET declaration = EXCLUDED.declaration, declared_at = EXCLUDED.declared_at, declared_by = EXCLUDED.declared_by`,
    [eventId, JSON.stringify(d), at, by],
  );
  return { declaration: d, declaredAt: at, declaredBy: by };
}

export async function getDeclaration(db: Queryable, eventId: string): Promise<StoredDeclaration | null> {
  const { rows } = await db.query<{ declaration: unknown; declared_at: Date | string; declared_by: string }>(
    'SELECT declaration, declared_at, declared_by FROM elearning_courses WHERE event_id = $1',
    [eventId],
  );
  const r = rows[0];
  return r ? { declaration: json<CourseDeclaration>(r.declaration), declaredAt: iso(r.declared_at), declaredBy: r.declared_by } : null;
}
