import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderOpenApi } from './generate-openapi';

describe('docs/openapi.json', () => {
  it('matches the document the code generates', async () => {
    const checkedIn = readFileSync(join(__dirname, '..', 'docs', 'openapi.json'), 'utf8');
    const generated = await renderOpenApi();
    // On failure, run `npm run openapi` and commit docs/openapi.json.
    expect(generated).toBe(checkedIn);
  });

  it('documents all six endpoints', async () => {
    const document = JSON.parse(await renderOpenApi());
    expect(Object.keys(document.paths).sort()).toEqual([
      '/api/v1/collections/{collection_id}/downloads',
      '/api/v1/collections/{collection_id}/favorites',
      '/api/v1/collections/{collection_id}/gallery_video_downloads',
      '/api/v1/collections/{collection_id}/photo_downloads',
      '/api/v1/collections/{collection_id}/photo_sharing_links',
      '/api/v1/photos/starred',
    ]);
  });
});
