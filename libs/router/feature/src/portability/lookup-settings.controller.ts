import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, ApiScope, RequireScope } from '@sms/auth';
import { ApiErrorFilter } from '@sms/platform';
import { LookupSettingListView, LookupSettingView, PutLookupSettingDto } from '../operator/operator.views';
import { LookupSettingsService } from './lookup-settings.service';

/** Per-country number lookups (portability): off unless turned on here, since each lookup costs money. */
@ApiTags('routes')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@RequireScope(ApiScope.Operator)
@Controller('v1/routes/lookups')
export class LookupSettingsController {
  constructor(private readonly settings: LookupSettingsService) {}

  @Get()
  @ApiOperation({ summary: 'Countries whose destination numbers are looked up before routing' })
  @ApiResponse({ status: 200, type: LookupSettingListView })
  async list(): Promise<{ data: LookupSettingView[] }> {
    return { data: await this.settings.list() };
  }

  @Put(':country')
  @ApiOperation({ summary: "Set a country's number lookups (on/off, source, how long answers are kept)" })
  @ApiBody({ type: PutLookupSettingDto })
  @ApiResponse({ status: 200, type: LookupSettingView })
  @ApiResponse({ status: 422, description: 'A rule was broken; `error.code` and `error.field` say which' })
  put(@Param('country') country: string, @Body() body: unknown, @Headers('content-type') contentType?: string) {
    ApiErrorFilter.requireJson(contentType);

    return this.settings.put(country, body);
  }

  @Delete(':country')
  @HttpCode(204)
  @ApiOperation({ summary: "Drop a country's lookup setting (no lookups)" })
  async remove(@Param('country') country: string): Promise<void> {
    await this.settings.remove(country);
  }
}
