import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, ApiScope, RequireScope } from '@sms/auth';
import { ApiErrorFilter } from '@sms/platform';
import { ExplainService } from './explain.service';
import { OperatorService } from './operator.service';
import {
  CountryRuleView,
  CreateNumberDto,
  CreateProviderDto,
  CreateRateDto,
  ExplainView,
  NetworkRuleView,
  NumberListView,
  NumberView,
  ProviderListView,
  ProviderView,
  PutCountryRuleDto,
  RateView,
  RoutesView,
  UpdateNumberDto,
  UpdateProviderDto,
  UpdateRateDto,
} from './operator.views';

const REFUSED = { status: 422, description: 'A rule was broken; `error.code` and `error.field` say which' };

@ApiTags('providers')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@RequireScope(ApiScope.Operator)
@Controller('v1/providers')
export class ProvidersController {
  constructor(private readonly operator: OperatorService) {}

  @Get()
  @ApiOperation({ summary: 'Provider accounts the router may send through' })
  @ApiResponse({ status: 200, type: ProviderListView })
  async list(): Promise<{ data: ProviderView[] }> {
    return { data: await this.operator.listProviders() };
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Add a provider account' })
  @ApiBody({ type: CreateProviderDto })
  @ApiResponse({ status: 201, type: ProviderView })
  @ApiResponse(REFUSED)
  @ApiResponse({ status: 409, description: 'PROVIDER_EXISTS' })
  create(@Body() body: unknown, @Headers('content-type') contentType?: string): Promise<ProviderView> {
    ApiErrorFilter.requireJson(contentType);

    return this.operator.createProvider(body);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename, activate or deactivate a provider' })
  @ApiBody({ type: UpdateProviderDto })
  @ApiResponse({ status: 200, type: ProviderView })
  @ApiResponse(REFUSED)
  update(@Param('id') id: string, @Body() body: unknown, @Headers('content-type') contentType?: string) {
    ApiErrorFilter.requireJson(contentType);

    return this.operator.updateProvider(id, body);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Deactivate a provider (its rows stay; routing stops using it)' })
  @ApiResponse({ status: 200, type: ProviderView })
  deactivate(@Param('id') id: string): Promise<ProviderView> {
    return this.operator.updateProvider(id, { active: false });
  }
}

@ApiTags('numbers')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@RequireScope(ApiScope.Operator)
@Controller('v1/numbers')
export class NumbersController {
  constructor(private readonly operator: OperatorService) {}

  @Get()
  @ApiOperation({ summary: 'The sender pool' })
  @ApiQuery({ name: 'provider', required: false })
  @ApiQuery({ name: 'country', required: false })
  @ApiQuery({ name: 'type', required: false })
  @ApiQuery({ name: 'capability', required: false, enum: ['sms', 'two_way', 'masking'] })
  @ApiQuery({ name: 'active', required: false, enum: ['true', 'false'] })
  @ApiResponse({ status: 200, type: NumberListView })
  async list(
    @Query() query: { provider?: string; country?: string; type?: string; capability?: string; active?: string },
  ): Promise<{ data: NumberView[] }> {
    return { data: await this.operator.listNumbers(query) };
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Add a number or sender ID to the pool' })
  @ApiBody({ type: CreateNumberDto })
  @ApiResponse({ status: 201, type: NumberView })
  @ApiResponse(REFUSED)
  @ApiResponse({ status: 409, description: 'NUMBER_EXISTS' })
  create(@Body() body: unknown, @Headers('content-type') contentType?: string): Promise<NumberView> {
    ApiErrorFilter.requireJson(contentType);

    return this.operator.createNumber(body);
  }

  @Patch(':number')
  @ApiOperation({ summary: 'Change capabilities, cost, throughput or activity' })
  @ApiBody({ type: UpdateNumberDto })
  @ApiResponse({ status: 200, type: NumberView })
  @ApiResponse(REFUSED)
  update(@Param('number') number: string, @Body() body: unknown, @Headers('content-type') contentType?: string) {
    ApiErrorFilter.requireJson(contentType);

    return this.operator.updateNumber(number, body);
  }

  @Delete(':number')
  @ApiOperation({ summary: 'Deactivate a number' })
  @ApiResponse({ status: 200, type: NumberView })
  deactivate(@Param('number') number: string): Promise<NumberView> {
    return this.operator.updateNumber(number, { active: false });
  }
}

@ApiTags('routes')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@RequireScope(ApiScope.Operator)
@Controller('v1/routes')
export class RoutesController {
  constructor(
    private readonly operator: OperatorService,
    private readonly explainer: ExplainService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Rates per provider and destination, and the per-country and per-network rules' })
  @ApiResponse({ status: 200, type: RoutesView })
  list(): Promise<RoutesView> {
    return this.operator.listRoutes();
  }

  @Get('explain')
  // `send` too: a distributed intake asks this for the caller's POST /v1/messages/quote with the caller's key.
  @RequireScope(ApiScope.Read, ApiScope.Send)
  @ApiOperation({ summary: 'The decision the router would take now, and why every other candidate lost' })
  @ApiQuery({ name: 'to', required: true, example: '+447400123456' })
  @ApiQuery({ name: 'messageClass', required: false, enum: ['transactional', 'marketing'] })
  @ApiQuery({ name: 'from', required: false })
  @ApiQuery({ name: 'country', required: false, description: 'hint for a national-format `to`' })
  @ApiQuery({ name: 'segments', required: false, example: 1 })
  @ApiResponse({ status: 200, type: ExplainView })
  @ApiResponse(REFUSED)
  explain(@Query() query: Record<string, string | undefined>): Promise<ExplainView> {
    return this.explainer.explain(query);
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Add a rate (provider, country, optional prefix)' })
  @ApiBody({ type: CreateRateDto })
  @ApiResponse({ status: 201, type: RateView })
  @ApiResponse(REFUSED)
  @ApiResponse({ status: 409, description: 'ROUTE_EXISTS' })
  create(@Body() body: unknown, @Headers('content-type') contentType?: string): Promise<RateView> {
    ApiErrorFilter.requireJson(contentType);

    return this.operator.createRate(body);
  }

  @Put('rules/:country')
  @ApiOperation({ summary: "Set a country's rules (sender types, sender IDs, local number, blocked)" })
  @ApiBody({ type: PutCountryRuleDto })
  @ApiResponse({ status: 200, type: CountryRuleView })
  @ApiResponse(REFUSED)
  putRule(@Param('country') country: string, @Body() body: unknown, @Headers('content-type') contentType?: string) {
    ApiErrorFilter.requireJson(contentType);

    return this.operator.putRule(country, body);
  }

  @Delete('rules/:country')
  @HttpCode(204)
  @ApiOperation({ summary: "Drop a country's rules (back to the defaults)" })
  async deleteRule(@Param('country') country: string): Promise<void> {
    await this.operator.deleteRule(country);
  }

  @Put('rules/:country/networks/:network')
  @ApiOperation({
    summary: "Set one mobile network's rules (MCC-MNC such as 234-30): they replace the country's for its numbers",
  })
  @ApiBody({ type: PutCountryRuleDto })
  @ApiResponse({ status: 200, type: NetworkRuleView })
  @ApiResponse({
    status: 422,
    description: 'INVALID_NETWORK, NETWORK_NOT_IN_COUNTRY, INVALID_COUNTRY, UNKNOWN_FIELD, ...',
  })
  putNetworkRule(
    @Param('country') country: string,
    @Param('network') network: string,
    @Body() body: unknown,
    @Headers('content-type') contentType?: string,
  ) {
    ApiErrorFilter.requireJson(contentType);

    return this.operator.putNetworkRule(country, network, body);
  }

  @Delete('rules/:country/networks/:network')
  @HttpCode(204)
  @ApiOperation({ summary: "Drop one network's rules (its numbers follow the country's rules again)" })
  async deleteNetworkRule(@Param('country') country: string, @Param('network') network: string): Promise<void> {
    await this.operator.deleteNetworkRule(country, network);
  }

  @Patch(':id')
  @ApiOperation({ summary: "Change a rate's price" })
  @ApiBody({ type: UpdateRateDto })
  @ApiResponse({ status: 200, type: RateView })
  @ApiResponse(REFUSED)
  update(@Param('id') id: string, @Body() body: unknown, @Headers('content-type') contentType?: string) {
    ApiErrorFilter.requireJson(contentType);

    return this.operator.updateRate(id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a rate: the provider no longer serves that destination' })
  async remove(@Param('id') id: string): Promise<void> {
    await this.operator.deleteRate(id);
  }
}
