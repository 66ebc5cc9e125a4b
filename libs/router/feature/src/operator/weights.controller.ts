import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, ApiScope, RequireScope } from '@sms/auth';
import { ApiErrorFilter } from '@sms/platform';
import { WeightsService } from './weights.service';
import { ScoreWeightsDto, ScoreWeightsView, WeightsListView } from './weights.views';

const REFUSED = {
  status: 422,
  description:
    'INVALID_WEIGHT, WEIGHT_REQUIRED, WEIGHTS_ALL_ZERO, INVALID_COUNTRY or UNKNOWN_FIELD; `error.field` says which',
};

@ApiTags('routes')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@RequireScope(ApiScope.Operator)
@Controller('v1/routes/weights')
export class RouteWeightsController {
  constructor(private readonly weights: WeightsService) {}

  @Get()
  @ApiOperation({ summary: "The routing score's weights: the default and each country's own" })
  @ApiResponse({ status: 200, type: WeightsListView })
  list(): Promise<WeightsListView> {
    return this.weights.list();
  }

  @Put(':scope')
  @ApiOperation({ summary: "Set a country's score weights, or the default ones (`default`)" })
  @ApiParam({ name: 'scope', example: 'GB', description: "ISO 3166-1 alpha-2 country, or 'default'" })
  @ApiBody({ type: ScoreWeightsDto })
  @ApiResponse({ status: 200, type: ScoreWeightsView })
  @ApiResponse(REFUSED)
  put(
    @Param('scope') scope: string,
    @Body() body: unknown,
    @Headers('content-type') contentType?: string,
  ): Promise<ScoreWeightsView> {
    ApiErrorFilter.requireJson(contentType);

    return this.weights.put(scope, body);
  }

  @Delete(':scope')
  @HttpCode(204)
  @ApiOperation({ summary: "Drop a country's weights (it uses the default again), or the default (built-in again)" })
  @ApiParam({ name: 'scope', example: 'GB' })
  @ApiResponse({ status: 404, description: 'NOT_FOUND: no weights of that scope' })
  async remove(@Param('scope') scope: string): Promise<void> {
    await this.weights.remove(scope);
  }
}
