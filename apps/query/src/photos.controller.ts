import { Controller, Get, Headers, Query, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Caller, CurrentCaller, RequireScope } from '@gallery/http';
import { csvFromRows } from './csv';
import { ApiErrorResponses, ApiListQuery, responseSchema } from './openapi';
import { EndpointParams } from './query-params';
import { readContext } from './read-context';
import { StarredService } from './starred.service';

const STARRED_PARAMS: EndpointParams = { endpoint: 'starred', statuses: [], filters: [] };

/** Account-wide photo analytics. */
@ApiTags('photos')
@ApiSecurity('api-key')
@ApiProduces('application/json', 'text/csv')
@Controller('api/v1/photos')
@RequireScope('read')
export class PhotosController {
  constructor(private readonly starred: StarredService) {}

  @Get('starred')
  @ApiOperation({ summary: 'Photos the account has starred, across collections, most engaged first' })
  @ApiListQuery(STARRED_PARAMS)
  @ApiErrorResponses()
  @ApiOkResponse({ schema: responseSchema('starred') })
  async starredPhotos(@Query() query: Record<string, unknown>, @Headers('accept') accept: string | undefined, @CurrentCaller() caller: Caller) {
    const context = readContext(caller, undefined, query, accept, STARRED_PARAMS);
    const result = await this.starred.starred(context);
    if (context.query.csv) {
      return new StreamableFile(csvFromRows(result.data.photos as unknown as Array<Record<string, unknown>>), {
        type: 'text/csv; charset=utf-8',
        disposition: 'attachment; filename="starred.csv"',
      });
    }
    return result;
  }
}
